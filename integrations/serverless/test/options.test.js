'use strict';
const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');

const options = require('../lib/options');
const layout = require('../lib/layout');

test('custom.cfnsplit defaults: nested, shared artifact, cfnsplit-plan.yaml kept', () => {
  const c = options.readConfig({});
  assert.strictEqual(c.enabled, true);
  assert.strictEqual(c.mode, 'nested');
  assert.strictEqual(c.package, 'shared');
  assert.strictEqual(c.planFile, 'cfnsplit-plan.yaml');
  assert.strictEqual(c.previous, true);
});

test('every peer key is refused with what replaces it', () => {
  for (const key of Object.keys(options.PEER_KEYS)) {
    assert.throws(
      () => options.readConfig({ cfnsplit: { [key]: true } }),
      (e) => e instanceof options.ConfigError && e.message.includes(`custom.cfnsplit.${key}`) && e.message.includes('split-stacks')
    );
  }
});

test('unknown keys, bad enums and bad types are errors naming the key', () => {
  assert.throws(() => options.readConfig({ cfnsplit: { strategyy: 'size' } }), /custom\.cfnsplit\.strategyy is not a cfnsplit setting/);
  assert.throws(() => options.readConfig({ cfnsplit: { mode: 'flat' } }), /custom\.cfnsplit\.mode must be one of nested, exports/);
  assert.throws(() => options.readConfig({ cfnsplit: { headroom: 'high' } }), /headroom must be a number/);
  assert.throws(() => options.readConfig({ cfnsplit: { headroom: 2 } }), /between 0\.05 and 1/);
  assert.throws(() => options.readConfig({ cfnsplit: { requirements: [1] } }), /string or a list of strings/);
  assert.throws(() => options.readConfig({ cfnsplit: ['x'] }), /must be a mapping/);
});

test('split arguments carry every option, paths as written (relative to the service)', () => {
  const config = options.readConfig({
    cfnsplit: {
      strategy: 'size',
      headroom: 0.8,
      ownerKey: 'team',
      maxStacks: 30,
      allowMixedOwners: true,
      pins: { Table: 'Base', Fn: 'Web' },
      manifest: 'cfnsplit.yaml',
      requirements: ['requirements.txt', 'extra.txt'],
    },
  });
  const args = options.splitArgs({ config, template: 't.json', outDir: 'out', previousPlan: 'cfnsplit-plan.yaml' });
  assert.deepStrictEqual(args, [
    'split', 't.json', '-o', 'out', '--force', '--format', 'json',
    '--mode', 'nested', '--strategy', 'size', '--headroom', '0.8', '--max-stacks', '30', '--allow-mixed-owners',
    '--pin', 'Table=Base', '--pin', 'Fn=Web', '--previous', 'cfnsplit-plan.yaml',
    '--manifest', 'cfnsplit.yaml', '--requirements', 'requirements.txt', '--requirements', 'extra.txt',
    '--owner-key', 'team',
    '--shared-artifact',
  ]);
});

test('pins: a mapping, a list or one string', () => {
  const pins = (p) => options.planningArgs(options.readConfig({ cfnsplit: { pins: p } })).filter((a, i, all) => all[i - 1] === '--pin');
  assert.deepStrictEqual(pins({ A: 'X', B: 'Y' }), ['A=X', 'B=Y']);
  assert.deepStrictEqual(pins(['A=X']), ['A=X']);
  assert.deepStrictEqual(pins('A=X'), ['A=X']);
});

test('package: perStack builds from serverless-python-requirements\' tree by default', () => {
  const args = options.splitArgs({
    config: options.readConfig({ cfnsplit: { package: 'perStack', slim: true, code: 'src' } }),
    template: 't.json',
    outDir: 'out',
    serverlessConfig: '/svc/serverless.yml',
  });
  const tail = args.slice(args.indexOf('--build'));
  assert.deepStrictEqual(tail, [
    '--build', '--site-packages', path.join('.serverless', 'requirements'),
    '--serverless-config', '/svc/serverless.yml', '--code', 'src', '--slim',
  ]);
  assert.ok(!args.includes('--shared-artifact'));
  const own = options.splitArgs({
    config: options.readConfig({ cfnsplit: { package: 'perStack', sitePackages: 'build/site' } }),
    template: 't.json',
    outDir: 'out',
  });
  assert.deepStrictEqual(own.filter((a) => a === '--site-packages').length, 1);
  assert.ok(own.includes('build/site'));
});

test('child file names match the peer\'s upload pattern; TemplateURL is the peer\'s Fn::Join', () => {
  const name = layout.childFileName('VisionPandas');
  assert.strictEqual(name, 'cloudformation-template-VisionPandas-nested-stack.json');
  assert.match(name, /nested-stack(-[0-9]+)?\.json$/);
  // serverless-plugin-split-stacks 1.15.0, lib/utils.js nestedStackResource().
  assert.deepStrictEqual(
    layout.templateUrl({ endpoint: layout.s3Endpoint('us-east-1'), artifactDirectoryName: 'serverless/s/dev/1', fileName: name }),
    { 'Fn::Join': ['/', ['https://s3.us-east-1.amazonaws.com', { Ref: 'ServerlessDeploymentBucket' }, 'serverless/s/dev/1', name]] }
  );
  assert.deepStrictEqual(
    layout.templateUrl({ endpoint: layout.s3Endpoint('cn-north-1'), deploymentBucket: 'my-bucket', artifactDirectoryName: 'd', fileName: 'f.json' })['Fn::Join'][1].slice(0, 2),
    ['https://s3.cn-north-1.amazonaws.com.cn', 'my-bucket']
  );
});

test('relinkChildren refuses a parent that lost a child stack resource', () => {
  const index = { stacks: [{ name: 'Base', template: 'template.json' }, { name: 'A', template: 'stacks/A.json' }] };
  assert.throws(() => layout.relinkChildren({ Resources: {} }, index, () => ({})), /names no stack resource for stacks\/A\.json/);
});

// The migration note: every key of serverless-plugin-split-stacks is explained in the README,
// and (when the peer is installed) the peer's code reads no key we do not know about.
test('README explains every serverless-plugin-split-stacks key', () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');
  const migration = readme.slice(readme.indexOf('## Migrating'));
  assert.ok(migration.length > 0 && readme.includes('## Migrating'), 'README has a "Migrating" section');
  for (const key of Object.keys(options.PEER_KEYS)) {
    assert.ok(migration.includes(`\`${key}\``), `README's migration section explains ${key}`);
  }
  for (const key of Object.keys(options.KNOWN)) {
    assert.ok(readme.includes(`\`${key}\``), `README documents custom.cfnsplit.${key}`);
  }
});

test('the peer reads no splitStacks key the migration note misses', (t) => {
  const candidates = [process.env.PEER_NODE_MODULES, '/tmp/peer-split-stacks/node_modules']
    .filter(Boolean)
    .map((d) => path.join(d, 'serverless-plugin-split-stacks'));
  const peer = candidates.find((d) => fs.existsSync(path.join(d, 'lib')));
  if (!peer) {
    t.skip('serverless-plugin-split-stacks is not installed (set PEER_NODE_MODULES)');
    return;
  }
  const keys = new Set();
  const walk = (dir) => {
    for (const f of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, f.name);
      if (f.isDirectory()) walk(p);
      else if (f.name.endsWith('.js')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/(?<!serverless)\.config\.(\w+)/g)) keys.add(m[1]);
    }
  };
  walk(path.join(peer, 'lib'));
  assert.ok(keys.size >= 5, `found the peer's keys (${[...keys]})`);
  for (const key of keys) assert.ok(key in options.PEER_KEYS, `peer key ${key} is explained`);
});
