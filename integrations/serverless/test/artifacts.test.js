'use strict';
// package: perStack — cfnsplit's built zips become the artifacts of their stacks' functions.
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');

const artifacts = require('../lib/artifacts');
const h = require('./helpers');

function builtOutput(dir, key) {
  const out = path.join(dir, '.serverless', 'cfnsplit', 'out');
  fs.mkdirSync(path.join(out, 'packages'), { recursive: true });
  fs.mkdirSync(path.join(out, 'stacks'));
  fs.writeFileSync(path.join(out, 'packages', 'Web.zip'), 'zip bytes');
  fs.writeFileSync(
    path.join(out, 'stacks.json'),
    JSON.stringify({ mode: 'nested', stacks: [{ name: 'Base', template: 'template.json' }, { name: 'Web', template: 'stacks/Web.json' }] })
  );
  fs.writeFileSync(
    path.join(out, 'stacks', 'Web.json'),
    JSON.stringify({
      Resources: {
        ApiLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: { Ref: 'WebArtifactKey' } } } },
        OtherLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: 'kept.zip' } } },
        Log: { Type: 'AWS::Logs::LogGroup' },
      },
    })
  );
  fs.writeFileSync(
    path.join(out, 'packages', 'artifacts.json'),
    JSON.stringify({ artifacts: { Web: { file: 'packages/Web.zip', key, parameter: 'WebArtifactKey', unzipped: 123 } } })
  );
  return out;
}

test('each stack zip lands under its key\'s name and its functions deploy from it', () => {
  const dir = h.tempService();
  const key = `${h.ARTIFACT_DIR}/ml-platform-Web-abc123.zip`;
  const outDir = builtOutput(dir, key);
  const functions = { api: { handler: 'h.main' }, other: {} };
  const { serverless } = h.fakeServerless({ dir, template: {}, custom: {}, functions });
  const installed = artifacts.install({
    outDir,
    serverlessDir: path.join(dir, '.serverless'),
    service: serverless.service,
    naming: serverless.getProvider().naming,
  });
  const zip = path.join(dir, '.serverless', 'ml-platform-Web-abc123.zip');
  assert.deepStrictEqual(installed, [{ stack: 'Web', file: zip, functions: ['api'] }]);
  assert.strictEqual(fs.readFileSync(zip, 'utf8'), 'zip bytes');
  assert.deepStrictEqual(functions.api.package, { artifact: zip });
  assert.strictEqual(functions.other.package, undefined, 'a function reading another key keeps its artifact');
});

test('a key outside this deployment\'s artifact directory is refused', () => {
  const dir = h.tempService();
  const outDir = builtOutput(dir, 'elsewhere/ml-platform-Web.zip');
  const { serverless } = h.fakeServerless({ dir, template: {}, custom: {}, functions: { api: {} } });
  assert.throws(
    () => artifacts.install({ outDir, serverlessDir: path.join(dir, '.serverless'), service: serverless.service, naming: serverless.getProvider().naming }),
    /not in this deployment's directory/
  );
});

test('encryption settings of the deployment bucket are passed to S3 as Serverless does', () => {
  assert.deepStrictEqual(artifacts.encryptionParams({ serverSideEncryption: 'AES256', name: 'b' }), { ServerSideEncryption: 'AES256' });
  assert.deepStrictEqual(artifacts.encryptionParams(undefined), {});
});
