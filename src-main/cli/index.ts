#!/usr/bin/env node
import { main } from './main.js';

main().catch((err: unknown) => {
  process.stderr.write(`foxctl: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
