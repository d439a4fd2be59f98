// `npm run bench -- NAME [NAME...]` runs bench/NAME.ts (all of them without a name).
// Each benchmark prints its figures and the ratio against an anchor measured in the same run.
// The pool size of the CLI and the app (src-main/cli/index.ts): measure what users run.
process.env.UV_THREADPOOL_SIZE ??= '16';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'lib.ts'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
// Options (`--lines 200000`) belong to the benchmarks; an option's value is not a benchmark name.
const VALUED = new Set(['--lines', '--driver']);
const wanted = process.argv.slice(2).filter((a, i, all) => !a.startsWith('-') && !VALUED.has(all[i - 1] ?? ''));
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : available) {
  process.stdout.write(`\n== bench ${name} ==\n`);
  await import(pathToFileURL(path.join(dir, `${name}.ts`)).href);
}
