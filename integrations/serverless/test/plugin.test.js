'use strict';
// The plugin driven through a fake Serverless: hooks, files written into .serverless, the
// compiled template replaced, uploads, errors and exit codes. Tests that run the real cfnsplit
// use the ML sample's Serverless-compiled template (521 resources: over the quota).
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const Plugin = require('..');
const h = require('./helpers');

const SAMPLE = path.join(h.REPO, 'samples', 'ml-service', 'template.json');
const BINARY = h.cfnsplitBinary();
const needsBinary = BINARY ? {} : { skip: 'no cfnsplit binary: build it or set CFNSPLIT_BINARY' };
if (!BINARY && process.env.CI === 'true') throw new Error('CI: the cfnsplit binary is required (CFNSPLIT_BINARY)');

function sampleService(custom = {}) {
  const dir = h.tempService();
  const template = h.readJson(SAMPLE);
  const functions = {};
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type === 'AWS::Lambda::Function') functions[id.replace(/LambdaFunction$/, '').replace(/Dash/g, '-').replace(/^./, (c) => c.toLowerCase())] = {};
  }
  const { serverless, uploads } = h.fakeServerless({
    dir,
    template,
    custom: { cfnsplit: { binary: BINARY, ...custom } },
    functions,
  });
  const q = h.quietUtils();
  const plugin = new Plugin(serverless, {}, q.utils);
  return { dir, template, serverless, uploads, plugin, notices: q.notices, written: q.written };
}

test('hooks: split once the template is final, upload with the artifacts, plan/review commands', () => {
  const { plugin } = sampleService();
  for (const hook of [
    'before:aws:package:finalize:saveServiceState',
    'aws:deploy:deploy:uploadArtifacts',
    'cfnsplit:plan:run',
    'cfnsplit:review:run',
  ]) {
    assert.strictEqual(typeof plugin.hooks[hook], 'function', hook);
  }
  assert.deepStrictEqual(Object.keys(plugin.commands.cfnsplit.commands), ['plan', 'review']);
});

test('package: the parent replaces the compiled template in place, children land beside it', needsBinary, () => {
  const s = sampleService();
  const compiled = s.template; // the very object Serverless holds
  s.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  assert.strictEqual(s.serverless.service.provider.compiledCloudFormationTemplate, compiled);
  const stacks = Object.entries(compiled.Resources).filter(([, r]) => r.Type === 'AWS::CloudFormation::Stack');
  assert.ok(stacks.length >= 2, `${stacks.length} child stacks`);
  assert.ok(Object.keys(compiled.Resources).length <= 500);
  const serverlessDir = path.join(s.dir, '.serverless');
  for (const [id, r] of stacks) {
    const join = r.Properties.TemplateURL['Fn::Join'];
    assert.ok(join, `${id} TemplateURL is a Fn::Join`);
    assert.deepStrictEqual(join[1].slice(0, 3), [
      'https://s3.eu-west-1.amazonaws.com',
      { Ref: 'ServerlessDeploymentBucket' },
      h.ARTIFACT_DIR,
    ]);
    const file = join[1][3];
    assert.match(file, /^cloudformation-template-[A-Za-z0-9]+-nested-stack\.json$/);
    const child = h.readJson(path.join(serverlessDir, file));
    assert.ok(Object.keys(child.Resources).length <= 500, `${file} within the resource quota`);
  }
  // Functions keep the one service artifact Serverless uploads.
  for (const f of fs.readdirSync(serverlessDir).filter((n) => n.endsWith('-nested-stack.json'))) {
    for (const r of Object.values(h.readJson(path.join(serverlessDir, f)).Resources)) {
      if (r.Type === 'AWS::Lambda::Function') assert.strictEqual(typeof r.Properties.Code.S3Key, 'string');
    }
  }
  // The plan is recorded for the next deploy, and what was written verifies against the input.
  assert.ok(fs.existsSync(path.join(s.dir, 'cfnsplit-plan.yaml')));
  fs.writeFileSync(path.join(serverlessDir, 'cloudformation-template-update-stack.json'), JSON.stringify(compiled, null, 2));
  const v = spawnSync(BINARY, ['verify', SAMPLE, serverlessDir], { encoding: 'utf8' });
  assert.strictEqual(v.status, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /^verified: 521 resources checked, 0 difference/);
  assert.ok(s.notices.some((n) => /stacks \(nested mode\)/.test(n)), s.notices.join('\n'));
});

test('package again with the committed plan: same placements, plan unchanged', needsBinary, () => {
  const s = sampleService();
  s.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  const plan = fs.readFileSync(path.join(s.dir, 'cfnsplit-plan.yaml'), 'utf8');
  const files = fs.readdirSync(path.join(s.dir, '.serverless')).sort();
  fs.rmSync(path.join(s.dir, '.serverless'), { recursive: true });
  fs.mkdirSync(path.join(s.dir, '.serverless'));
  const again = h.fakeServerless({
    dir: s.dir,
    template: h.readJson(SAMPLE),
    custom: { cfnsplit: { binary: BINARY } },
  });
  const q = h.quietUtils();
  new Plugin(again.serverless, {}, q.utils).hooks['before:aws:package:finalize:saveServiceState']();
  assert.deepStrictEqual(fs.readdirSync(path.join(s.dir, '.serverless')).sort(), files);
  // Every placement is kept, so the committed plan is left as it was.
  const layout = require('../lib/layout');
  const now = fs.readFileSync(path.join(s.dir, '.serverless/cfnsplit/out/plan.yaml'), 'utf8');
  assert.ok(layout.placements(plan).length > 500);
  assert.deepStrictEqual(layout.placements(now), layout.placements(plan));
  assert.match(now, /source: plan/);
  assert.strictEqual(fs.readFileSync(path.join(s.dir, 'cfnsplit-plan.yaml'), 'utf8'), plan);
  assert.ok(!q.notices.some((n) => /placements recorded/.test(n)), 'the committed plan is not rewritten');
});

test('exports mode: the base becomes the compiled template; the stacks stay with the deploy kit', needsBinary, () => {
  const s = sampleService({ mode: 'exports' });
  s.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  const types = Object.values(s.template.Resources).map((r) => r.Type);
  assert.ok(!types.includes('AWS::CloudFormation::Stack'));
  assert.ok(types.includes('AWS::DynamoDB::Table') || types.includes('AWS::SQS::Queue'), 'data stays in the base');
  assert.deepStrictEqual(fs.readdirSync(path.join(s.dir, '.serverless')).filter((f) => f.endsWith('-nested-stack.json')), []);
  const out = path.join(s.dir, '.serverless', 'cfnsplit', 'out');
  assert.ok(fs.readdirSync(path.join(out, 'stacks')).length >= 2);
  assert.ok(s.notices.some((n) => /exports mode.*deploy\.sh/.test(n)), s.notices.join('\n'));
  const v = spawnSync(BINARY, ['verify', SAMPLE, out], { encoding: 'utf8' });
  assert.strictEqual(v.status, 0, v.stdout + v.stderr);
});

test('a template within every quota is left alone', needsBinary, () => {
  const dir = h.tempService();
  const template = {
    AWSTemplateFormatVersion: '2010-09-09',
    Resources: { Bucket: { Type: 'AWS::S3::Bucket' } },
  };
  const { serverless } = h.fakeServerless({ dir, template, custom: { cfnsplit: { binary: BINARY } } });
  const q = h.quietUtils();
  new Plugin(serverless, {}, q.utils).hooks['before:aws:package:finalize:saveServiceState']();
  assert.deepStrictEqual(Object.keys(template.Resources), ['Bucket']);
  assert.ok(!fs.existsSync(path.join(dir, 'cfnsplit-plan.yaml')));
  assert.ok(q.notices.some((n) => /Nothing to split/.test(n)), q.notices.join('\n'));
});

test('enabled: false turns the plugin off', () => {
  const dir = h.tempService();
  const template = { Resources: {} };
  const { serverless } = h.fakeServerless({ dir, template, custom: { cfnsplit: { enabled: false, binary: '/nonexistent' } } });
  new Plugin(serverless, {}, h.quietUtils().utils).hooks['before:aws:package:finalize:saveServiceState']();
  assert.ok(!fs.existsSync(path.join(dir, '.serverless', 'cfnsplit')));
});

test('a missing binary is an error with the install line', () => {
  const dir = h.tempService();
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { binary: 'no/such/cfnsplit' } } });
  const plugin = new Plugin(serverless, {}, h.quietUtils().utils);
  assert.throws(
    () => plugin.hooks['before:aws:package:finalize:saveServiceState'](),
    (e) => e instanceof h.ServerlessError && /not found/.test(e.message) && /Install cfnsplit/.test(e.message)
  );
  const env = { PATH: dir };
  const runner = require('../lib/runner');
  assert.throws(() => runner.findBinary(undefined, dir, env), /cfnsplit was not found on PATH\. Install cfnsplit/);
});

test("cfnsplit's diagnostics become a Serverless error with its code", () => {
  const dir = h.tempService();
  const diag = 'tpl.json:4:16: error: a package over the limit [E4008]\n';
  const binary = h.fakeBinary(dir, { split: { stderr: diag, code: 1 } });
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { binary } } });
  const plugin = new Plugin(serverless, {}, h.quietUtils().utils);
  assert.throws(
    () => plugin.hooks['before:aws:package:finalize:saveServiceState'](),
    (e) => e.code === 'CFNSPLIT_E4008' && e.message.includes(diag.trim()) && /exited with code 1/.test(e.message)
  );
});

test('a nested tree too big for one operation (E4018) says how to switch to exports mode', () => {
  const dir = h.tempService();
  const binary = h.fakeBinary(dir, { split: { stderr: 'cfnsplit: error: the nested tree creates 11573 resources [E4018]\n', code: 1 } });
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { binary } } });
  assert.throws(
    () => new Plugin(serverless, {}, h.quietUtils().utils).hooks['before:aws:package:finalize:saveServiceState'](),
    (e) => e.code === 'CFNSPLIT_E4018' && /custom\.cfnsplit\.mode: exports/.test(e.message) && /deploy\.sh/.test(e.message)
  );
});

test('errors come first: the Serverless error shows error diagnostics, warnings are counted', () => {
  const dir = h.tempService();
  const output =
    't.json:9:5: warning: function A ships 240 MB [W4014]\n      "A": {\n      ^\n' +
    't.json:4:16: error: stack X over a quota [E4007]\n  "X": 1\n  ^\n' +
    't.json:12:5: warning: function B ships 250 MB [W4014]\n';
  const binary = h.fakeBinary(dir, { split: { stderr: output, code: 1 } });
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { binary } } });
  assert.throws(
    () => new Plugin(serverless, {}, h.quietUtils().utils).hooks['before:aws:package:finalize:saveServiceState'](),
    (e) =>
      e.code === 'CFNSPLIT_E4007' &&
      e.message.includes('t.json:4:16: error: stack X over a quota [E4007]\n  "X": 1\n  ^') &&
      !e.message.includes('W4014') &&
      /2 warning\(s\) not shown/.test(e.message)
  );
  assert.strictEqual(fs.readFileSync(path.join(dir, '.serverless', 'cfnsplit', 'cfnsplit.log'), 'utf8'), output.trim() + '\n');
});

test('a config error is reported before cfnsplit runs', () => {
  const dir = h.tempService();
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { perFunction: true } } });
  const plugin = new Plugin(serverless, {}, h.quietUtils().utils);
  assert.throws(() => plugin.hooks['before:aws:package:finalize:saveServiceState'](), (e) => e.code === 'CFNSPLIT_CONFIG');
});

test("the process exits with cfnsplit's exit code, not Serverless' 1", () => {
  const dir = h.tempService();
  const binary = h.fakeBinary(dir, { split: { stderr: 'bad.json:1:1: error: JSON syntax [E0003]\n', code: 2 } });
  // As Serverless does: run the error hooks, set exitCode 1, exit.
  const script = `
    const Plugin = require(${JSON.stringify(path.join(__dirname, '..'))});
    const h = require(${JSON.stringify(path.join(__dirname, 'helpers.js'))});
    const { serverless } = h.fakeServerless({ dir: ${JSON.stringify(dir)}, template: { Resources: {} },
      custom: { cfnsplit: { binary: ${JSON.stringify(binary)} } } });
    const plugin = new Plugin(serverless, {}, h.quietUtils().utils);
    try { plugin.hooks['before:aws:package:finalize:saveServiceState'](); }
    catch (e) { plugin.hooks.error(e); console.error(e.code); process.exitCode = 1; process.exit(); }`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.strictEqual(r.stderr.trim(), 'CFNSPLIT_E0003');
  assert.strictEqual(r.status, 2);
});

test('with a committed plan, a deployed resource that would move stops packaging', () => {
  const dir = h.tempService();
  fs.writeFileSync(path.join(dir, 'cfnsplit-plan.yaml'), 'cfnsplit_plan: 1\n');
  const moves = {
    moves: [
      { resource: 'NewFn', type: 'AWS::Lambda::Function', from: '', to: 'Web', risk: '', detail: '' },
      { resource: 'Table', type: 'AWS::DynamoDB::Table', from: 'Base', to: 'Data', risk: 'data loss', detail: 'deleted from Base' },
    ],
  };
  const out = path.join('.serverless', 'cfnsplit', 'out');
  const binary = h.fakeBinary(dir, {
    split: { stdout: 'Wrote 2 templates', script: `mkdir -p ${out} && echo '{"mode":"nested","stacks":[{"name":"Base","template":"template.json"}]}' > ${out}/stacks.json` },
    review: { stdout: JSON.stringify(moves) },
  });
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { binary } } });
  const plugin = new Plugin(serverless, {}, h.quietUtils().utils);
  assert.throws(
    () => plugin.hooks['before:aws:package:finalize:saveServiceState'](),
    (e) => e.code === 'CFNSPLIT_MOVES' && /1 deployed resource/.test(e.message) && /Table .*Base -> Data \[data loss\]/.test(e.message) && !/NewFn/.test(e.message)
  );
  const calls = fs.readFileSync(`${binary}.calls`, 'utf8');
  assert.match(calls, /--previous cfnsplit-plan\.yaml/);
  assert.match(calls, /^review .*plan\.yaml --against cfnsplit-plan\.yaml --format json$/m);
});

test('deploy: every child template is uploaded into the artifact directory', async () => {
  const dir = h.tempService();
  for (const f of ['cloudformation-template-A-nested-stack.json', 'cloudformation-template-B-nested-stack.json', 'serverless-state.json']) {
    fs.writeFileSync(path.join(dir, '.serverless', f), '{}');
  }
  const { serverless, uploads } = h.fakeServerless({
    dir,
    template: { Resources: {} },
    custom: {},
    provider: { deploymentBucketObject: { serverSideEncryption: 'aws:kms', sseKMSKeyId: 'key-1' } },
  });
  await new Plugin(serverless, {}, h.quietUtils().utils).hooks['aws:deploy:deploy:uploadArtifacts']();
  assert.deepStrictEqual(
    uploads.map((u) => [u.service, u.method, u.params.Bucket, u.params.Key, u.params.ServerSideEncryption, u.params.SSEKMSKeyId]),
    [
      ['S3', 'upload', 'deploy-bucket', `${h.ARTIFACT_DIR}/cloudformation-template-A-nested-stack.json`, 'aws:kms', 'key-1'],
      ['S3', 'upload', 'deploy-bucket', `${h.ARTIFACT_DIR}/cloudformation-template-B-nested-stack.json`, 'aws:kms', 'key-1'],
    ]
  );
  serverless.service.provider.shouldNotDeploy = true;
  uploads.length = 0;
  await new Plugin(serverless, {}, h.quietUtils().utils).hooks['aws:deploy:deploy:uploadArtifacts']();
  assert.strictEqual(uploads.length, 0, 'nothing uploaded when Serverless skips the deployment');
});

test('exports mode cannot go through sls deploy: refused before anything is uploaded', () => {
  const dir = h.tempService();
  const { serverless } = h.fakeServerless({ dir, template: { Resources: {} }, custom: { cfnsplit: { mode: 'exports' } } });
  assert.throws(() => new Plugin(serverless, {}, h.quietUtils().utils).hooks['before:deploy:deploy'](), (e) => e.code === 'CFNSPLIT_EXPORTS_DEPLOY');
  const nested = h.fakeServerless({ dir, template: { Resources: {} }, custom: {} });
  new Plugin(nested.serverless, {}, h.quietUtils().utils).hooks['before:deploy:deploy']();
});

test('sls cfnsplit plan: packages without splitting, prints cfnsplit plan', needsBinary, async () => {
  const s = sampleService();
  s.serverless.pluginManager.spawn = async (name) => {
    assert.strictEqual(name, 'package');
    s.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  };
  await s.plugin.hooks['cfnsplit:plan:run']();
  assert.deepStrictEqual(Object.keys(s.template.Resources).length, 521, 'the compiled template is not split');
  assert.ok(!fs.existsSync(path.join(s.dir, 'cfnsplit-plan.yaml')));
  assert.match(s.written.join('\n'), /^Plan: \d+ stacks \(nested mode/m);
});

test('sls cfnsplit review: checks the committed plan against the service now', needsBinary, async () => {
  const s = sampleService();
  s.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  const fresh = sampleService();
  fs.copyFileSync(path.join(s.dir, 'cfnsplit-plan.yaml'), path.join(fresh.dir, 'cfnsplit-plan.yaml'));
  fresh.serverless.pluginManager.spawn = async () => fresh.plugin.hooks['before:aws:package:finalize:saveServiceState']();
  // The next package renames the API Gateway deployment (Serverless puts the time in its ID).
  const renamed = (t) => {
    const id = Object.keys(t.Resources).find((k) => /^ApiGatewayDeployment[0-9]+$/.test(k));
    t.Resources.ApiGatewayDeployment1999999999999 = t.Resources[id];
    delete t.Resources[id];
    return t;
  };
  const next = renamed(fresh.template);
  assert.ok(next.Resources.ApiGatewayDeployment1999999999999);
  await fresh.plugin.hooks['cfnsplit:review:run']();
  assert.match(fresh.written.join('\n'), /All constraints hold/);
  const none = sampleService();
  await assert.rejects(() => none.plugin.hooks['cfnsplit:review:run'](), (e) => e.code === 'CFNSPLIT_NO_PLAN');
});
