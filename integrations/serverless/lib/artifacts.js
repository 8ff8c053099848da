'use strict';
// `package: perStack`: each stack's own zip (built by `cfnsplit split --build`) becomes the
// artifact of that stack's functions, so Serverless uploads it, hashes it for change detection
// and records it in the state file like any function artifact.
const fs = require('fs');
const path = require('path');

// Logical IDs of the Lambda functions of a template that read their code key from `parameter`.
function functionsReading(template, parameter) {
  const ids = [];
  for (const [id, r] of Object.entries(template.Resources || {})) {
    const key = r && r.Type === 'AWS::Lambda::Function' && r.Properties && r.Properties.Code && r.Properties.Code.S3Key;
    if (key && typeof key === 'object' && key.Ref === parameter) ids.push(id);
  }
  return ids;
}

// Zips can be large: moved (same file system), copied only across file systems.
function moveFile(from, to) {
  try {
    fs.renameSync(from, to);
  } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    fs.copyFileSync(from, to);
    fs.rmSync(from);
  }
}

// Moves every built zip into .serverless under the base name of its S3 key (Serverless uploads a
// function artifact to <artifactDirectoryName>/<base name>, which is exactly that key) and points
// the stack's functions at it. Returns [{ stack, file, functions }].
function install({ outDir, serverlessDir, service, naming, log = () => {} }) {
  const index = JSON.parse(fs.readFileSync(path.join(outDir, 'stacks.json'), 'utf8'));
  const listing = JSON.parse(fs.readFileSync(path.join(outDir, 'packages', 'artifacts.json'), 'utf8'));
  const byLogicalId = new Map(service.getAllFunctions().map((name) => [naming.getLambdaLogicalId(name), name]));
  const dir = service.package.artifactDirectoryName;
  const installed = [];
  for (const [stack, a] of Object.entries(listing.artifacts || {})) {
    if (path.posix.dirname(a.key) !== dir) {
      throw new Error(`the artifact key ${a.key} of stack ${stack} is not in this deployment's directory ${dir}`);
    }
    const entry = index.stacks.find((s) => s.name === stack);
    const template = JSON.parse(fs.readFileSync(path.join(outDir, entry.template), 'utf8'));
    const file = path.join(serverlessDir, path.posix.basename(a.key));
    moveFile(path.join(outDir, a.file), file);
    const functions = [];
    for (const id of functionsReading(template, a.parameter)) {
      const name = byLogicalId.get(id);
      if (!name) throw new Error(`stack ${stack}: ${id} is not a function of this service`);
      const fn = service.getFunction(name);
      fn.package = { ...(fn.package || {}), artifact: file };
      functions.push(name);
    }
    log(`cfnsplit: ${stack} ships ${path.basename(file)} (${a.unzipped} bytes unzipped) for ${functions.length} function(s)`);
    installed.push({ stack, file, functions });
  }
  return installed;
}

// The peer's (and Serverless') S3 encryption settings of a deploymentBucket object.
function encryptionParams(bucketObject) {
  const fields = [
    ['serverSideEncryption', 'ServerSideEncryption'],
    ['sseCustomerAlgorithim', 'SSECustomerAlgorithm'],
    ['sseCustomerKey', 'SSECustomerKey'],
    ['sseCustomerKeyMD5', 'SSECustomerKeyMD5'],
    ['sseKMSKeyId', 'SSEKMSKeyId'],
  ];
  const out = {};
  for (const [from, to] of fields) if (bucketObject && bucketObject[from]) out[to] = bucketObject[from];
  return out;
}

module.exports = { functionsReading, install, encryptionParams };
