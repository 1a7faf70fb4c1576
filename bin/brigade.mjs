#!/usr/bin/env node
// In a checkout, runs the TypeScript sources through tsx, so `npm install && npm start` needs
// no build step. A deployment that ships only the build (npm run build → dist/) runs that.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(new URL('../dist/cli.js', import.meta.url).href);
}
