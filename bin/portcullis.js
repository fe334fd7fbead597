#!/usr/bin/env node
// Thin launcher. An installed package (and any checkout after `npm run build`, which `npm ci`
// runs via `prepare`) runs the compiled CLI in dist/. A source checkout without a build runs
// src/ through tsx, which costs start-up time: build for the fast path.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(compiled)) {
  const { run } = await import(compiled.href);
  run();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { run } = await import(new URL('../src/cli/main.ts', import.meta.url).href);
  run();
}
