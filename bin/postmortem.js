#!/usr/bin/env node
// `postmortem …`: the operator CLI. In a checkout with its dev dependencies it runs the sources through tsx
// (no build step, never a stale dist/); in the image, which ships only the compiled build, dist/src/cli/main.js.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS launcher */
const { existsSync } = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'src', 'cli', 'main.ts');
let entry = path.join(root, 'dist', 'src', 'cli', 'main.js');
if (existsSync(source)) {
  try {
    require('tsx/cjs/api').register();
    entry = source;
  } catch {
    // tsx is a dev dependency: without it, fall back to the compiled build.
  }
}
if (!existsSync(entry)) {
  console.error('postmortem: no compiled CLI at dist/src/cli/main.js and no tsx to run the sources: run `npm run build` (or `npm install`)');
  process.exit(1);
}
require(entry).main();
