#!/usr/bin/env node
'use strict';
// The package's command: `wg-enroll [serve|migrate|openapi|help]`. Run `npm run build` first
// (npm start does it).
require('../dist/cli/main.js');
