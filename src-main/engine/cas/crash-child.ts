// Child process of crash.test.ts: puts objects one after another and prints each acknowledged
// digest on stdout (a pipe: written synchronously), until the parent kills it with SIGKILL.
// Usage: node --import tsx crash-child.ts <file|sqlite> <location> <seed> <count>
import { createHash } from 'node:crypto';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { createSqliteBackend } from './sqlite-backend.js';

/** Deterministic content of object `i` of a run: every 10th is large (several chunks), some repeat across runs. */
export function crashContent(seed: number, i: number): Buffer {
  const shared = i % 7 === 0;
  const size = i % 10 === 0 ? 300_000 + i : 1000 + ((i * 7919) % 7000);
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(`${shared ? 'shared' : seed}:${i}`).digest();
  for (let off = 0; off < size; off += block.length) {
    block.copy(out, off);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

async function main(): Promise<void> {
  const [kind, location, seedText, countText] = process.argv.slice(2);
  const backend = kind === 'sqlite' ? createSqliteBackend({ file: location!, chunkSize: 64 * 1024 }) : createFileBackend({ dir: location! });
  const store = new CasStore(backend);
  const seed = Number(seedText);
  for (let i = 0; i < Number(countText); i++) {
    const r = await store.put(crashContent(seed, i), { tags: [`run${seed}`] });
    process.stdout.write(`${r.digest}\n`);
  }
  await store.close();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err: unknown) => {
    process.stderr.write(`crash-child: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
