#!/usr/bin/env node
// `postmortem …`: the operator CLI (src/cli/main.ts), run through tsx so it needs no build step.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher */
const path = require('node:path');
const { register } = require('tsx/cjs/api');

register();
const { main } = require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
main();
