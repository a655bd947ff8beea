#!/usr/bin/env node
'use strict';
// The package's command: `wg-enroll [serve|agent|migrate|openapi|help]` (`wg-enroll --help`).
// It runs the compiled dist/: `npm ci` builds it (the `prepare` script), and `npm start`
// rebuilds only when a source is newer than the last build.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'cli', 'main.js');
if (!existsSync(main)) {
  process.stderr.write('wg-enroll: dist/ is not built; run `npm run build` (npm ci and npm start do it)\n');
  process.exit(1);
}
require(main);
