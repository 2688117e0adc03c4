#!/usr/bin/env node
'use strict';
// The qrgate command. Runs the compiled host code (make build); from a checkout without a build,
// falls back to running the TypeScript sources through tsx.
const path = require('path');
const fs = require('fs');
const compiled = path.join(__dirname, '..', 'build', 'host', 'tools', 'qrgate.js');
if (fs.existsSync(compiled)) {
  require(compiled).main(process.argv.slice(2));
} else {
  require('tsx/cjs');
  require(path.join(__dirname, '..', 'tools', 'qrgate.ts')).main(process.argv.slice(2));
}
