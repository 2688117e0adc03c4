#!/usr/bin/env node
'use strict';
// The qrgate command. Runs the compiled host code (make build) when it is at least as new as the
// TypeScript sources; otherwise (a checkout without a build, or sources edited since) runs the
// sources through tsx, so the command never runs stale code.
const path = require('path');
const fs = require('fs');
const root = path.join(__dirname, '..');
const compiled = path.join(root, 'build', 'host', 'tools', 'qrgate.js');

function newestSource() {
  let newest = 0;
  for (const dir of ['tools', 'sim', 'firmware', 'proto', 'drivers', 'hal']) {
    const walk = (d) => {
      let entries;
      try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch (e) { return; }
      for (const e of entries) {
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) newest = Math.max(newest, fs.statSync(p).mtimeMs);
      }
    };
    walk(path.join(root, dir));
  }
  return newest;
}

let useCompiled = false;
try { useCompiled = fs.statSync(compiled).mtimeMs >= newestSource(); } catch (e) { useCompiled = false; }
if (useCompiled) {
  require(compiled).main(process.argv.slice(2));
} else {
  require('tsx/cjs');
  require(path.join(root, 'tools', 'qrgate.ts')).main(process.argv.slice(2));
}
