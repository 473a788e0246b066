#!/usr/bin/env node
// The built CLI (npm install runs the build through `prepare`; `npm run build` makes it again).
import { existsSync } from 'node:fs';

const built = new URL('../dist/certwatch.mjs', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'certwatch: dist/certwatch.mjs is missing: run `npm run build` in the certwatch folder\n',
  );
  process.exit(2);
}
await import(built.href);
