'use strict';
// custom.cfnsplit in serverless.yml → cfnsplit command-line arguments. Every key is checked
// here, before cfnsplit runs, so a typo is an error naming the key rather than a silent default.
const path = require('path');

const DEFAULT_PLAN_FILE = 'cfnsplit-plan.yaml';

// serverless-plugin-split-stacks' keys, and what replaces each (README: "Migrating").
const PEER_KEYS = {
  perFunction: 'cfnsplit places functions by package size and owner; there is no per-function mode',
  perType: 'resources are placed by lifecycle (data stays in the parent); use `strategy: lifecycle`',
  perGroupFunction: 'functions are grouped by what they ship; use `strategy: size` (the default picks it)',
  nestedStackCount: 'the number of stacks is computed; cap it with `maxStacks`',
  stackConcurrency: 'CloudFormation deploys nested stacks in parallel as the dependencies allow',
  resourceConcurrency: 'not needed: cfnsplit adds no DependsOn chains between stacks',
  custom: 'stacks-map.js is replaced by `pins` (ID: Stack) or Metadata.cfnsplit.stack in a resource',
  proxyAgent: 'not needed: the plugin makes no network call while packaging',
};

const KNOWN = {
  enabled: 'boolean',
  binary: 'string',
  mode: ['nested', 'exports'],
  strategy: ['auto', 'lifecycle', 'ownership', 'size'],
  headroom: 'number',
  ownerKey: 'string',
  maxStacks: 'number',
  allowMixedOwners: 'boolean',
  pins: 'object',
  manifest: 'string',
  requirements: 'strings',
  sitePackages: 'string',
  wheelhouse: 'string',
  packaging: ['shared', 'individual', 'layer'],
  package: ['shared', 'perStack'],
  code: 'strings',
  slim: 'boolean',
  jobs: 'number',
  planFile: 'string',
  previous: 'boolean',
  rules: 'string',
  deploymentBucketRegion: 'string',
};

class ConfigError extends Error {}

function checkType(key, value, type) {
  if (Array.isArray(type)) {
    if (!type.includes(value)) {
      throw new ConfigError(`custom.cfnsplit.${key} must be one of ${type.join(', ')} (got ${JSON.stringify(value)})`);
    }
    return;
  }
  const ok =
    type === 'strings'
      ? typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      : type === 'object'
        ? (value && typeof value === 'object') || typeof value === 'string'
        : typeof value === type;
  if (!ok) throw new ConfigError(`custom.cfnsplit.${key} must be a ${type === 'strings' ? 'string or a list of strings' : type}`);
}

// The user's configuration, checked, with defaults filled in.
function readConfig(custom) {
  const raw = (custom && custom.cfnsplit) || {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('custom.cfnsplit must be a mapping');
  for (const [key, value] of Object.entries(raw)) {
    if (key in PEER_KEYS) {
      throw new ConfigError(`custom.cfnsplit.${key} is a serverless-plugin-split-stacks key: ${PEER_KEYS[key]}`);
    }
    if (!(key in KNOWN)) {
      throw new ConfigError(`custom.cfnsplit.${key} is not a cfnsplit setting (known: ${Object.keys(KNOWN).join(', ')})`);
    }
    if (value !== undefined && value !== null) checkType(key, value, KNOWN[key]);
  }
  if (raw.headroom !== undefined && !(raw.headroom >= 0.05 && raw.headroom <= 1)) {
    throw new ConfigError('custom.cfnsplit.headroom must be between 0.05 and 1');
  }
  return {
    enabled: raw.enabled !== false,
    mode: raw.mode || 'nested',
    package: raw.package || 'shared',
    planFile: raw.planFile || DEFAULT_PLAN_FILE,
    previous: raw.previous !== false,
    ...raw,
  };
}

const asList = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

// Pins: `{Id: Stack}`, ["Id=Stack"] or one "Id=Stack".
function pinArgs(pins) {
  if (!pins) return [];
  const list =
    typeof pins === 'string' || Array.isArray(pins)
      ? asList(pins)
      : Object.entries(pins).map(([id, stack]) => `${id}=${stack}`);
  return list.flatMap((p) => ['--pin', String(p)]);
}


// Arguments shared by `split`, `plan` and `review` for sizing and placement. cfnsplit runs in
// the service folder: paths stay as the user wrote them (relative to it), so the plan file that
// records them is the same on every machine.
function sizingArgs(config) {
  const args = [];
  if (config.manifest) args.push('--manifest', config.manifest);
  for (const r of asList(config.requirements)) args.push('--requirements', r);
  if (config.sitePackages) args.push('--site-packages', config.sitePackages);
  if (config.wheelhouse) args.push('--wheelhouse', config.wheelhouse);
  if (config.packaging) args.push('--packaging', config.packaging);
  return args;
}

function commonArgs(config) {
  const args = [];
  if (config.ownerKey) args.push('--owner-key', config.ownerKey);
  if (config.rules) args.push('--rules', config.rules);
  return args;
}

// `cfnsplit plan` / `split` arguments for the planning half.
function planningArgs(config, previousPlan) {
  const args = ['--mode', config.mode];
  if (config.strategy) args.push('--strategy', config.strategy);
  if (config.headroom !== undefined) args.push('--headroom', String(config.headroom));
  if (config.maxStacks !== undefined) args.push('--max-stacks', String(config.maxStacks));
  if (config.allowMixedOwners) args.push('--allow-mixed-owners');
  args.push(...pinArgs(config.pins));
  if (previousPlan) args.push('--previous', previousPlan);
  return [...args, ...sizingArgs(config), ...commonArgs(config)];
}

// `cfnsplit split` of the compiled template into outDir (JSON, as Serverless writes), with the
// build of per-stack artifacts when `package: perStack`.
function splitArgs({ config, template, outDir, previousPlan, serverlessConfig }) {
  const args = ['split', template, '-o', outDir, '--force', '--format', 'json'];
  args.push(...planningArgs(config, previousPlan));
  if (config.package !== 'perStack') {
    // Serverless uploads the one service artifact: every function keeps its code key.
    args.push('--shared-artifact');
  } else {
    args.push('--build');
    // serverless-python-requirements installs the service's requirements here.
    if (!config.sitePackages) args.push('--site-packages', path.join('.serverless', 'requirements'));
    if (serverlessConfig) args.push('--serverless-config', serverlessConfig);
    for (const c of asList(config.code)) args.push('--code', c);
    if (config.slim) args.push('--slim');
    if (config.jobs) args.push('--jobs', String(config.jobs));
  }
  return args;
}

module.exports = {
  ConfigError,
  DEFAULT_PLAN_FILE,
  PEER_KEYS,
  KNOWN,
  readConfig,
  planningArgs,
  sizingArgs,
  commonArgs,
  splitArgs,
};
