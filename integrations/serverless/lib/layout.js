'use strict';
// Where the split lands in .serverless/ and how the parent points at its children: the same
// file names and TemplateURLs serverless-plugin-split-stacks writes, so a service can switch
// plugins without its deployment bucket layout changing.
const fs = require('fs');
const path = require('path');

const COMPILED_TEMPLATE = 'cloudformation-template-update-stack.json';

// The peer names a child `cloudformation-template-<X>-nested-stack.json`; its upload step
// picks files by /nested-stack(-[0-9]+)?\.json$/, so we keep that tail.
function childFileName(stackName) {
  return `cloudformation-template-${stackName}-nested-stack.json`;
}

// S3's regional endpoint, as aws-info gives it to the peer (s3.<region>.amazonaws.com, with
// .com.cn in the China partition), computed here so packaging needs no network.
function s3Endpoint(region) {
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `s3.${region}.${suffix}`;
}

// The peer's TemplateURL: Fn::Join of the endpoint, the deployment bucket (named, or the one
// Serverless creates), the artifact directory of this deployment and the file name.
function templateUrl({ endpoint, deploymentBucket, artifactDirectoryName, fileName }) {
  return {
    'Fn::Join': [
      '/',
      [
        `https://${endpoint}`,
        deploymentBucket || { Ref: 'ServerlessDeploymentBucket' },
        artifactDirectoryName,
        fileName,
      ],
    ],
  };
}

// cfnsplit's stacks.json: the parent (nested) or base (exports) first, then every other stack
// with the file it was written to.
function readIndex(outDir) {
  const index = JSON.parse(fs.readFileSync(path.join(outDir, 'stacks.json'), 'utf8'));
  if (!Array.isArray(index.stacks) || index.stacks.length === 0) {
    throw new Error(`${path.join(outDir, 'stacks.json')} lists no stacks`);
  }
  return index;
}

// Rewrites the parent's relative TemplateURLs ("stacks/X.json", as cfnsplit writes them for
// `aws cloudformation package`) into the deployment-bucket URLs, and returns the children to
// write beside it: [{ from, fileName }].
function relinkChildren(parent, index, urlFor) {
  const byPath = new Map(index.stacks.slice(1).map((s) => [s.template, s]));
  const children = [];
  for (const [id, resource] of Object.entries(parent.Resources || {})) {
    if (!resource || resource.Type !== 'AWS::CloudFormation::Stack') continue;
    const url = resource.Properties && resource.Properties.TemplateURL;
    const stack = typeof url === 'string' ? byPath.get(url) : undefined;
    if (!stack) continue;
    const fileName = childFileName(stack.name);
    resource.Properties.TemplateURL = urlFor(fileName);
    children.push({ id, from: stack.template, fileName });
    byPath.delete(url);
  }
  if (byPath.size > 0) {
    throw new Error(`the parent names no stack resource for ${[...byPath.keys()].join(', ')}`);
  }
  return children;
}

// Written beside, then renamed: a reader never sees half a template.
function writeAtomically(file, text) {
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

// Child templates and per-stack zips the plugin wrote into .serverless (the upload step
// sends these; Serverless itself sends only the parent, the state file and the artifacts).
function nestedStackFiles(serverlessDir) {
  if (!fs.existsSync(serverlessDir)) return [];
  return fs
    .readdirSync(serverlessDir)
    .filter((f) => /-nested-stack(-[0-9]+)?\.json$/.test(f))
    .sort();
}

// Which stack each resource is in, from a plan file's text (its `stacks:` list). Serverless
// names the API Gateway deployment after the packaging time, a new logical ID on every package:
// it is left out, as are the inputs' SHA-256 and the pins a plan records from its predecessor.
function placements(planText) {
  const out = [];
  for (const chunk of planText.split('\n  - name: ').slice(1)) {
    const stack = chunk.split('\n')[0];
    const body = chunk.slice(chunk.indexOf('    resources:'));
    for (const m of body.matchAll(/^ {6}- ([A-Za-z0-9]+)/gm)) {
      if (!/^ApiGatewayDeployment[0-9]+$/.test(m[1])) out.push(`${m[1]}=${stack}`);
    }
  }
  return out.sort();
}

function samePlacements(a, b) {
  const x = placements(a);
  const y = placements(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

module.exports = {
  placements,
  samePlacements,
  COMPILED_TEMPLATE,
  childFileName,
  s3Endpoint,
  templateUrl,
  readIndex,
  relinkChildren,
  writeAtomically,
  nestedStackFiles,
};
