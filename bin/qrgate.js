#!/usr/bin/env node
'use strict';
// The qrgate command. Runs the compiled host code (build/host, made by `make build`; what the npm
// package ships). In a checkout whose build is missing or older than the TypeScript sources, it
// runs the sources through tsx instead, so the command never runs stale code, unless
// QRGATE_BUILD=required (the tests set it): then a missing or stale build is an error, so that a
// file missing from the build fails the tests instead of being hidden by the sources.
const path = require('path');
const fs = require('fs');
const root = path.join(__dirname, '..');
const compiled = path.join(root, 'build', 'host', 'tools', 'qrgate.js');
const sources = path.join(root, 'tools', 'qrgate.ts');

function newestSource() {
  let newest = 0;
  for (const dir of ['tools', 'sim', 'firmware', 'proto', 'drivers', 'hal']) {
    const walk = (d) => {
      let entries;
      try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch (e) { return; }
      for (const e of entries) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts') || e.name.endsWith('.js')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    };
    walk(path.join(root, dir));
  }
  return newest;
}

let built = 0;
try { built = fs.statSync(compiled).mtimeMs; } catch (e) { built = 0; }
const haveSources = fs.existsSync(sources);
const current = built > 0 && (!haveSources || built >= newestSource());

if (current) {
  require(compiled).main(process.argv.slice(2));
} else if (process.env.QRGATE_BUILD === 'required' || !haveSources) {
  process.stderr.write(`qrgate: ${built ? 'the build is older than the sources' : 'no build (build/host/tools/qrgate.js)'}: run make build\n`);
  process.exitCode = 2;
} else {
  require('tsx/cjs');
  require(sources).main(process.argv.slice(2));
}
