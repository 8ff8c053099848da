'use strict';
// Finding and running the cfnsplit binary, and turning its failures into errors the user can
// act on: its own diagnostics (file:line:col: error: message [CODE]) and its exit code.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const INSTALL_HINT =
  'Install cfnsplit and put it on PATH (build it: cmake -S . -B build -G Ninja && cmake --build build, ' +
  'then copy build/cfnsplit to /usr/local/bin), or set custom.cfnsplit.binary (or CFNSPLIT_BINARY) to its path.';

class CfnsplitError extends Error {
  constructor(message, { exitCode, codes, output }) {
    super(message);
    this.exitCode = exitCode;
    this.codes = codes;
    this.output = output;
  }
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch (e) {
    return false;
  }
}

// custom.cfnsplit.binary, then CFNSPLIT_BINARY, then PATH.
function findBinary(configured, servicePath, env = process.env) {
  const explicit = configured || env.CFNSPLIT_BINARY;
  if (explicit) {
    const file = path.resolve(servicePath, explicit);
    if (isExecutable(file)) return file;
    throw new CfnsplitError(`cfnsplit binary '${explicit}' not found or not executable. ${INSTALL_HINT}`, {
      exitCode: 2,
      codes: [],
      output: '',
    });
  }
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, 'cfnsplit'))) return path.join(dir, 'cfnsplit');
  }
  throw new CfnsplitError(`cfnsplit was not found on PATH. ${INSTALL_HINT}`, { exitCode: 2, codes: [], output: '' });
}

// Diagnostic codes in cfnsplit's output, errors first, in order, once each.
function diagnosticCodes(text) {
  const codes = [];
  for (const kind of ['E', 'W']) {
    for (const m of text.matchAll(/\[([EW][0-9]{4})\]/g)) if (m[1][0] === kind && !codes.includes(m[1])) codes.push(m[1]);
  }
  return codes;
}

// What the user must read: the error diagnostics, each with its source line and caret, and
// how many warnings were left out (all of them are in the full output).
function errorsOnly(text) {
  const lines = text.split('\n');
  const kept = [];
  let warnings = 0;
  for (let i = 0; i < lines.length; i++) {
    if (/(^|: )error: /.test(lines[i])) {
      kept.push(lines[i]);
      while (i + 1 < lines.length && /^\s/.test(lines[i + 1])) kept.push(lines[++i]);
    } else if (/(^|: )warning: /.test(lines[i])) {
      warnings++;
    }
  }
  if (kept.length === 0) return text;
  return kept.join('\n') + (warnings ? `\n(${warnings} warning(s) not shown)` : '');
}

// Runs cfnsplit; returns { stdout, stderr } on exit 0 and throws CfnsplitError otherwise.
function run(binary, args, { cwd, maxBuffer = 256 * 1024 * 1024 } = {}) {
  const r = spawnSync(binary, args, { cwd, encoding: 'utf8', maxBuffer });
  if (r.error) {
    throw new CfnsplitError(`cannot run ${binary}: ${r.error.message}. ${INSTALL_HINT}`, {
      exitCode: 2,
      codes: [],
      output: '',
    });
  }
  if (r.status === 0) return { stdout: r.stdout, stderr: r.stderr };
  const output = `${r.stderr || ''}${r.stdout || ''}`.trim();
  const status = r.status === null ? 2 : r.status;
  const codes = diagnosticCodes(output);
  const what = r.status === null ? `was stopped by ${r.signal}` : `exited with code ${status}`;
  const errors = codes.filter((c) => c.startsWith('E'));
  throw new CfnsplitError(`cfnsplit ${args[0]} ${what}${errors.length ? ` (${errors.join(', ')})` : ''}:\n${errorsOnly(output)}`, {
    exitCode: status,
    codes,
    output,
  });
}

module.exports = { CfnsplitError, INSTALL_HINT, findBinary, diagnosticCodes, errorsOnly, run };
