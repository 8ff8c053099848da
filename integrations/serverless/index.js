'use strict';
// serverless-cfnsplit: splits the compiled CloudFormation template inside `sls package` /
// `sls deploy` with the cfnsplit binary (a drop-in for serverless-plugin-split-stacks).
//
// package: once the compiled template is final, it is split by `cfnsplit split`; the parent
//   replaces the compiled template (Serverless writes it to
//   .serverless/cloudformation-template-update-stack.json) and every child is written beside it
//   as cloudformation-template-<Stack>-nested-stack.json, its TemplateURL pointing into this
//   deployment's artifact directory of the deployment bucket, as the peer does.
// deploy: the children are uploaded next to the parent before CloudFormation reads them;
//   per-stack zips (package: perStack) are function artifacts Serverless uploads itself.
const fs = require('fs');
const path = require('path');

const layout = require('./lib/layout');
const options = require('./lib/options');
const runner = require('./lib/runner');
const artifacts = require('./lib/artifacts');

const WORK_DIR = 'cfnsplit'; // .serverless/cfnsplit: the unsplit template and cfnsplit's output
const UNSPLIT = 'template.json';
const OUT_DIR = 'out';
const EXPORTS_HINT =
  'In serverless.yml: custom.cfnsplit.mode: exports, then `sls package` and deploy the stacks with ' +
  '.serverless/cfnsplit/out/deploy.sh (its README.md beside it says what it does); `sls deploy` deploys one stack.';

// A plan stores its inputs' paths relative to its own folder (cfnsplit resolves them from
// there): a plan copied to another folder gets them rewritten for that folder.
function rebaseInputPaths(text, fromDir, toDir) {
  return text.replace(/(\bpath: )"([^"]*)"/g, (whole, key, p) => {
    if (!p || path.isAbsolute(p)) return whole;
    const rel = path.relative(toDir, path.resolve(fromDir, p)) || '.';
    return `${key}${JSON.stringify(rel)}`;
  });
}

class ServerlessCfnsplit {
  constructor(serverless, cliOptions, utils) {
    this.serverless = serverless;
    this.options = cliOptions || {};
    this.provider = serverless.getProvider('aws');
    const log = utils && utils.log;
    this.info = (msg) => (log ? log.notice(msg) : serverless.cli.log(msg));
    this.verbose = (msg) => (log ? log.info(msg) : undefined);
    this.write = (text) => (utils && utils.writeText ? utils.writeText(text) : process.stdout.write(`${text}\n`));
    this.commands = {
      cfnsplit: {
        usage: 'Plan or review the split of this service with cfnsplit',
        commands: {
          plan: {
            usage: "Print cfnsplit's plan for the service as it is now (kept in .serverless/cfnsplit/plan.yaml; cfnsplit-plan.yaml is not touched)",
            lifecycleEvents: ['run'],
            options: {
              format: { usage: 'text, json, markdown or html', type: 'string' },
              explain: { usage: 'Say why each resource is where it is', type: 'boolean' },
            },
          },
          review: {
            usage: 'Check cfnsplit-plan.yaml (hand-edited or committed) against the service as it is now',
            lifecycleEvents: ['run'],
            options: { format: { usage: 'text, json, markdown, sarif or html', type: 'string' } },
          },
        },
      },
    };
    this.hooks = {
      // After every template change Serverless and other plugins make (custom resources merged,
      // export names added, null properties stripped), just before it is written and validated.
      'before:aws:package:finalize:saveServiceState': () => this.split(),
      'before:deploy:deploy': () => this.checkDeployable(),
      'aws:deploy:deploy:uploadArtifacts': () => this.upload(),
      'cfnsplit:plan:run': () => this.planCommand(),
      'cfnsplit:review:run': () => this.reviewCommand(),
      error: (exception) => this.keepExitCode(exception),
    };
  }

  get servicePath() {
    return this.serverless.serviceDir || this.serverless.config.servicePath;
  }

  config() {
    try {
      return options.readConfig(this.serverless.service.custom);
    } catch (e) {
      throw this.error(e.message, 'CFNSPLIT_CONFIG', 2);
    }
  }

  // A Serverless error (shown without a stack trace) carrying cfnsplit's exit code.
  error(message, code, exitCode) {
    const ServerlessError = (this.serverless.classes && this.serverless.classes.Error) || Error;
    const err = new ServerlessError(message, code);
    err.code = code;
    err.cfnsplitExitCode = exitCode;
    return err;
  }

  // Serverless' `error` hook sees the command's exception. Serverless exits with 1 for every
  // error; ours keep cfnsplit's code (2: input error), put back as the process exits.
  keepExitCode(exception) {
    const exitCode = exception && exception.cfnsplitExitCode;
    if (!exitCode || exitCode === 1) return;
    process.once('exit', () => {
      process.exitCode = exitCode;
    });
  }

  cfnsplit(args, config) {
    try {
      const binary = runner.findBinary(config.binary, this.servicePath);
      return runner.run(binary, args, { cwd: this.servicePath });
    } catch (e) {
      if (!(e instanceof runner.CfnsplitError)) throw e;
      // cfnsplit's whole output (warnings included) is kept beside its other files.
      const log = path.join(this.servicePath, '.serverless', WORK_DIR, 'cfnsplit.log');
      if (e.output && fs.existsSync(path.dirname(log))) fs.writeFileSync(log, `${e.output}\n`);
      const code = e.codes.length ? `CFNSPLIT_${e.codes[0]}` : 'CFNSPLIT_FAILED';
      const hint = e.codes.includes('E4018') ? `\n${EXPORTS_HINT}` : '';
      throw this.error(e.message + hint, code, e.exitCode);
    }
  }

  // The compiled template as cfnsplit reads it: .serverless/cfnsplit/template.json (kept, so
  // the plan file's input and `cfnsplit verify` have the unsplit template after packaging).
  saveUnsplit() {
    const dir = path.join(this.servicePath, '.serverless', WORK_DIR);
    fs.mkdirSync(dir, { recursive: true });
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    layout.writeAtomically(path.join(dir, UNSPLIT), JSON.stringify(template, null, 2));
    return path.join('.serverless', WORK_DIR, UNSPLIT);
  }

  previousPlan(config) {
    const file = path.join(this.servicePath, config.planFile);
    return config.previous && fs.existsSync(file) ? config.planFile : undefined;
  }

  serverlessConfigFile() {
    const p = this.serverless.configurationPath || this.serverless.config.configurationPath;
    if (p) return p;
    const guess = path.join(this.servicePath, this.serverless.configurationFilename || 'serverless.yml');
    return fs.existsSync(guess) ? guess : undefined;
  }

  split() {
    if (this.planOnly) return this.saveUnsplit();
    const config = this.config();
    if (!config.enabled) return undefined;
    const template = this.saveUnsplit();
    const outRel = path.join('.serverless', WORK_DIR, OUT_DIR);
    const previousPlan = this.previousPlan(config);
    const args = options.splitArgs({
      config,
      template,
      outDir: outRel,
      previousPlan,
      serverlessConfig: this.serverlessConfigFile(),
    });
    const started = Date.now();
    fs.rmSync(path.join(this.servicePath, outRel), { recursive: true, force: true });
    const { stdout } = this.cfnsplit(args, config);
    const outDir = path.join(this.servicePath, outRel);
    if (!fs.existsSync(path.join(outDir, 'stacks.json'))) {
      // "Nothing to split": cfnsplit wrote nothing.
      this.info(`cfnsplit: ${stdout.trim()}`);
      return undefined;
    }
    if (previousPlan) this.refuseMoves(config, outRel, previousPlan);
    const index = layout.readIndex(outDir);
    const written = this.install(index, outDir, config);
    this.recordPlan(config, outDir);
    this.info(
      `cfnsplit: ${index.stacks.length} stacks (${index.mode} mode), ${written.length} child template(s) in ` +
        `.serverless, ${((Date.now() - started) / 1000).toFixed(1)}s; verified against the compiled template` +
        (index.mode === 'exports' ? `; deploy with ${path.join(outRel, 'deploy.sh')}` : '')
    );
    return undefined;
  }

  // With a committed plan, placements are pins; a deployed resource that would still move
  // (a pin the new plan could not keep) stops packaging: moving it recreates it.
  refuseMoves(config, outRel, previousPlan) {
    const { stdout } = this.cfnsplit(
      ['review', path.join(outRel, 'plan.yaml'), '--against', previousPlan, '--format', 'json'],
      config
    );
    const moves = (JSON.parse(stdout).moves || []).filter((m) => m.from && m.to);
    if (moves.length === 0) return;
    const lines = moves.map((m) => `  ${m.resource} (${m.type}): ${m.from} -> ${m.to} [${m.risk}] ${m.detail}`);
    throw this.error(
      `cfnsplit: ${moves.length} deployed resource(s) would move to another stack, which recreates them:\n` +
        `${lines.join('\n')}\nKeep them where ${previousPlan} puts them (pins), or edit ${previousPlan} ` +
        'and check it with `sls cfnsplit review`.',
      'CFNSPLIT_MOVES',
      1
    );
  }

  // cfnsplit's output into the places Serverless deploys from.
  install(index, outDir, config) {
    const provider = this.serverless.service.provider;
    const serverlessDir = path.join(this.servicePath, '.serverless');
    const parent = JSON.parse(fs.readFileSync(path.join(outDir, index.stacks[0].template), 'utf8'));
    let children = [];
    if (index.mode === 'nested') {
      const region = config.deploymentBucketRegion || this.options.region || provider.region || 'us-east-1';
      const urlFor = (fileName) =>
        layout.templateUrl({
          endpoint: layout.s3Endpoint(region),
          deploymentBucket: typeof provider.deploymentBucket === 'string' ? provider.deploymentBucket : undefined,
          artifactDirectoryName: this.serverless.service.package.artifactDirectoryName,
          fileName,
        });
      children = layout.relinkChildren(parent, index, urlFor);
    }
    // Exports mode: the other stacks stay in cfnsplit's output folder, beside its deploy kit.
    for (const child of children) {
      fs.copyFileSync(path.join(outDir, child.from), path.join(serverlessDir, child.fileName));
    }
    if (config.package === 'perStack') {
      artifacts.install({
        outDir,
        serverlessDir,
        service: this.serverless.service,
        naming: this.provider.naming,
        log: this.verbose,
      });
    }
    this.warnUnpassedParameters(parent);
    // Replaced in place: Serverless and other plugins hold this very object.
    const compiled = provider.compiledCloudFormationTemplate;
    for (const key of Object.keys(compiled)) delete compiled[key];
    Object.assign(compiled, parent);
    return children;
  }

  // Parameters the parent declares without a default (the ImageUri of a function the manifest
  // makes a container image, with package: perStack) must come from provider.stackParameters.
  warnUnpassedParameters(parent) {
    const given = new Set((this.serverless.service.provider.stackParameters || []).map((p) => p.ParameterKey));
    const missing = Object.entries(parent.Parameters || {})
      .filter(([name, p]) => p && p.Default === undefined && !given.has(name))
      .map(([name]) => name);
    if (missing.length === 0) return;
    this.info(
      `cfnsplit: WARNING: the parent stack needs ${missing.join(', ')} (container images: build them from ` +
        '.serverless/cfnsplit/out/packages/*/Dockerfile); set them in provider.stackParameters or `sls deploy` fails'
    );
  }

  // The plan just used becomes the committed one when it places something differently, so a
  // package that moved nothing leaves the committed file alone.
  recordPlan(config, outDir) {
    const target = path.join(this.servicePath, config.planFile);
    const text = rebaseInputPaths(fs.readFileSync(path.join(outDir, 'plan.yaml'), 'utf8'),
                                  outDir, this.servicePath);
    if (fs.existsSync(target) && layout.samePlacements(fs.readFileSync(target, 'utf8'), text)) return;
    layout.writeAtomically(target, text);
    this.info(`cfnsplit: placements recorded in ${config.planFile}; commit it so later deploys keep them`);
  }

  packageDir() {
    return this.options.package || this.serverless.service.package.path || path.join(this.servicePath, '.serverless');
  }

  checkDeployable() {
    const config = this.config();
    if (!config.enabled || config.mode !== 'exports') return;
    const dir = path.join(this.packageDir(), WORK_DIR, OUT_DIR);
    throw this.error(
      'cfnsplit: exports mode writes independent stacks that `sls deploy` cannot deploy as one: after ' +
        `\`sls package\`, deploy them with ${path.join(dir, 'deploy.sh')} (see ${path.join(dir, 'README.md')}), ` +
        'or use mode: nested',
      'CFNSPLIT_EXPORTS_DEPLOY',
      2
    );
  }

  // The peer's upload step: every child template into this deployment's artifact directory.
  async upload() {
    if (this.serverless.service.provider.shouldNotDeploy) return;
    const dir = this.packageDir();
    const files = layout.nestedStackFiles(dir);
    if (files.length === 0) return;
    const bucket = await this.provider.getServerlessDeploymentBucketName(this.options.stage, this.options.region);
    const prefix = this.serverless.service.package.artifactDirectoryName;
    const encryption = artifacts.encryptionParams(this.serverless.service.provider.deploymentBucketObject);
    this.verbose(`cfnsplit: uploading ${files.length} child template(s) to s3://${bucket}/${prefix}/`);
    for (const file of files) {
      await this.provider.request('S3', 'upload', {
        Bucket: bucket,
        Key: `${prefix}/${file}`,
        Body: fs.readFileSync(path.join(dir, file)),
        ContentType: 'application/json',
        ...encryption,
      });
    }
  }

  // Runs the package lifecycle with the split switched off, for the unsplit compiled template.
  async packageForReport() {
    this.planOnly = true;
    await this.serverless.pluginManager.spawn('package');
    return path.join('.serverless', WORK_DIR, UNSPLIT);
  }

  async planCommand() {
    const config = this.config();
    const template = await this.packageForReport();
    const output = path.join('.serverless', WORK_DIR, 'plan.yaml');
    const args = ['plan', template, '-o', output, ...options.planningArgs(config, this.previousPlan(config))];
    if (this.options.format) args.push('--format', this.options.format);
    if (this.options.explain) args.push('--explain');
    this.write(this.cfnsplit(args, config).stdout.trimEnd());
  }

  // The committed plan with the API Gateway deployment under this package's logical ID
  // (Serverless puts the packaging time in it, so every package renames that one resource).
  planForThisPackage(planFile) {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const current = Object.keys(template.Resources || {}).filter((id) => /^ApiGatewayDeployment[0-9]+$/.test(id));
    let text = fs.readFileSync(path.join(this.servicePath, planFile), 'utf8');
    if (current.length === 1) text = text.replace(/\bApiGatewayDeployment[0-9]+\b/g, current[0]);
    const copy = path.join('.serverless', WORK_DIR, 'reviewed-plan.yaml');
    text = rebaseInputPaths(text, this.servicePath, path.dirname(path.join(this.servicePath, copy)));
    layout.writeAtomically(path.join(this.servicePath, copy), text);
    return copy;
  }

  async reviewCommand() {
    const config = this.config();
    const plan = path.join(this.servicePath, config.planFile);
    if (!fs.existsSync(plan)) {
      throw this.error(`cfnsplit: no ${config.planFile} to review; \`sls package\` writes it`, 'CFNSPLIT_NO_PLAN', 2);
    }
    // The plan names the unsplit template of the packaging that wrote it; --rebase checks it
    // against the one just compiled.
    await this.packageForReport();
    const reviewed = this.planForThisPackage(config.planFile);
    const args = ['review', reviewed, '--rebase', ...options.sizingArgs(config)];
    args.push(...options.commonArgs(config));
    if (this.options.format) args.push('--format', this.options.format);
    this.write(this.cfnsplit(args, config).stdout.trimEnd());
  }
}

module.exports = ServerlessCfnsplit;
