'use strict';
// A fake Serverless Framework 3 for the plugin's unit tests: just the parts the plugin touches
// (service, provider, naming, pluginManager.spawn, classes.Error), recording what it is asked.
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..', '..');
const ARTIFACT_DIR = 'serverless/ml-platform/prod/1795616609632-2026-11-25T14:23:29.632Z';

// The cfnsplit binary under test: CFNSPLIT_BINARY (CTest passes the one it built), else the
// default build directory. null when neither exists (tests that run it then skip, loudly).
function cfnsplitBinary() {
  const candidates = [process.env.CFNSPLIT_BINARY, path.join(REPO, 'build', 'cfnsplit')].filter(Boolean);
  return candidates.find((c) => fs.existsSync(c)) || null;
}

function tempService(prefix = 'cfnsplit-plugin-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.mkdirSync(path.join(dir, '.serverless'));
  return dir;
}

class ServerlessError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const lambdaLogicalId = (name) =>
  `${name[0].toUpperCase()}${name.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore')}LambdaFunction`;

// template: the compiled template (kept by reference, as Serverless does); functions: name → object.
function fakeServerless({ dir, template, custom, functions = {}, provider = {}, onSpawn }) {
  const uploads = [];
  const awsProvider = {
    naming: { getLambdaLogicalId: lambdaLogicalId },
    getServerlessDeploymentBucketName: async () => 'deploy-bucket',
    request: async (service, method, params) => {
      uploads.push({ service, method, params });
      return {};
    },
  };
  const serverless = {
    version: '3.39.0',
    serviceDir: dir,
    config: { servicePath: dir },
    configurationPath: path.join(dir, 'serverless.yml'),
    classes: { Error: ServerlessError },
    cli: { log() {} },
    service: {
      service: 'ml-platform',
      custom,
      provider: { name: 'aws', region: 'eu-west-1', compiledCloudFormationTemplate: template, ...provider },
      package: { artifactDirectoryName: ARTIFACT_DIR },
      getAllFunctions: () => Object.keys(functions),
      getFunction: (name) => functions[name],
    },
    getProvider: () => awsProvider,
    pluginManager: { spawn: async (name) => (onSpawn ? onSpawn(name) : undefined) },
  };
  return { serverless, uploads };
}

// Silent log utilities (Serverless v3 passes { log, writeText } as the third argument).
function quietUtils() {
  const notices = [];
  const written = [];
  return {
    notices,
    written,
    utils: {
      log: { notice: (m) => notices.push(m), info: () => {} },
      writeText: (t) => written.push(t),
    },
  };
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// A shell script standing in for cfnsplit: prints `stdout`/`stderr` and exits with `code`; with
// `when` it answers by the first argument (the subcommand).
function fakeBinary(dir, answers) {
  const file = path.join(dir, 'fake-cfnsplit');
  const cases = Object.entries(answers)
    .map(
      ([cmd, a]) =>
        `  ${cmd})\n    printf '%s' '${(a.stdout || '').replace(/'/g, "'\\''")}'\n` +
        `    printf '%s' '${(a.stderr || '').replace(/'/g, "'\\''")}' >&2\n` +
        `    ${a.script || ''}\n    exit ${a.code || 0} ;;`
    )
    .join('\n');
  fs.writeFileSync(file, `#!/bin/sh\necho "$@" >> "${file}.calls"\ncase "$1" in\n${cases}\nesac\nexit 99\n`);
  fs.chmodSync(file, 0o755);
  return file;
}

module.exports = {
  REPO,
  ARTIFACT_DIR,
  cfnsplitBinary,
  tempService,
  fakeServerless,
  quietUtils,
  readJson,
  fakeBinary,
  lambdaLogicalId,
  ServerlessError,
};
