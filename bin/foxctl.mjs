#!/usr/bin/env node
// The `foxctl` command: runs the bundled CLI built by `npm run build` (done by `npm ci`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/foxctl.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('foxctl: the CLI is not built yet: run `npm run build` in the project folder\n');
  process.exit(1);
}
await import(bundle.href);
