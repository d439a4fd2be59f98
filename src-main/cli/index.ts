#!/usr/bin/env node
// Many small file operations (CAS puts, backup extraction) run on libuv's pool: 4 threads
// leave the disk idle while hashes wait. The pool starts on first use, after this line.
process.env.UV_THREADPOOL_SIZE ??= '16';

const { main } = await import('./main.js');

export {};

main().catch((err: unknown) => {
  process.stderr.write(`foxctl: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
