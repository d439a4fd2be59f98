// `npm run bench -- cas`: the CAS against anchors measured in the same run on the same files.
// - put of a 1 GiB file vs `openssl dgst -sha256` (hashing is the floor of the cost)
// - put of 20,000 files of 4 KiB vs `git hash-object -w --stdin-paths`
// - verified get of the 1 GiB object vs openssl; gc dry run and gc over 20,000 objects
// - peak RSS of put and get of 1 GiB, each measured in its own child process
// FOXCTL_BENCH_SCALE=0.1 runs it at a tenth of the sizes, for a quick check.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { createFileBackend } from '../src-main/engine/cas/file-backend.js';
import { collectGarbage } from '../src-main/engine/cas/gc.js';
import { CasStore } from '../src-main/engine/cas/guarded-store.js';
import { mapLimit } from '../src-main/engine/cas/map-limit.js';
import { openFileSource } from '../src-main/engine/cas/source.js';
import { figure, report, scratch, timed, timedCommand } from './lib.js';

const MiB = 1 << 20;

/** Child mode: one put or get of a big file, printing its seconds and peak RSS as JSON. */
async function child(op: string, storeDir: string, arg: string): Promise<void> {
  const store = new CasStore(createFileBackend({ dir: storeDir }));
  await store.open();
  const t0 = process.hrtime.bigint();
  let result: unknown;
  if (op === 'put') {
    const { reader } = await openFileSource(arg);
    result = await store.put(reader);
  } else if (op === 'getto') {
    // The verified read of `cas get > FILE` and of downloads: reused buffers into a sink.
    result = await store.getTo(arg, async () => undefined);
  } else if (op === 'get') {
    const got = await store.get(arg);
    await pipeline(got.stream, new Writable({ highWaterMark: 4 * MiB, write: (_c, _e, cb) => cb() }));
    result = { digest: arg };
  } else {
    const [digest, out] = arg.split('=>') as [string, string];
    result = await store.getToFile(digest, out);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await store.close();
  process.stdout.write(JSON.stringify({ seconds, maxRssMb: process.resourceUsage().maxRSS / 1024, result }));
}

/**
 * Runs a child `n` times and keeps the fastest run and the highest RSS. The anchors get the same
 * best of `n`: this VM's disk swings x2-3 from minute to minute (dd conv=fdatasync of 1 GiB has
 * taken 1.1 to 3.4 s), and the best of a few runs is the figure least bent by it on both sides.
 */
function bestOf(n: number, op: string, storeDir: string, arg: string): { seconds: number; maxRssMb: number; result: { digest: string } } {
  const runs = Array.from({ length: n }, () => runChild(op, storeDir, arg));
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return { seconds: fastest.seconds, maxRssMb: Math.max(...runs.map((r) => r.maxRssMb)), result: runs[0]!.result };
}

function runChild(op: string, storeDir: string, arg: string): { seconds: number; maxRssMb: number; result: { digest: string } } {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--cas-child', op, storeDir, arg], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child ${op} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { seconds: number; maxRssMb: number; result: { digest: string } };
}

function writeRandomFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  const block = randomBytes(4 * MiB);
  for (let done = 0; done < bytes; done += block.length) {
    // Vary each block so no layer can deduplicate or compress it.
    block.writeUInt32LE(done / block.length, 0);
    fs.writeSync(fd, block, 0, Math.min(block.length, bytes - done));
  }
  fs.closeSync(fd);
}

async function main(): Promise<void> {
  const scale = Number(process.env.FOXCTL_BENCH_SCALE ?? '1');
  if (!(scale > 0 && scale <= 1)) throw new Error('FOXCTL_BENCH_SCALE must be in (0, 1]');
  const bigBytes = Math.round(1024 * scale) * MiB;
  const smallCount = Math.round(20_000 * scale);
  const s = scratch('cas');
  try {
    process.stdout.write(`scale ${scale}: ${bigBytes / MiB} MiB file, ${smallCount} files of 4 KiB; UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`);
    const big = path.join(s.dir, 'big.bin');
    writeRandomFile(big, bigBytes);
    const mb = bigBytes / 1e6;

    // Both read the file from the page cache: warm it once, then take the best of three for the anchor.
    timedCommand('openssl', ['dgst', '-sha256', big]);
    const openssl = Math.min(...[1, 2, 3].map(() => timedCommand('openssl', ['dgst', '-sha256', big])));
    // The floor of a durable copy on this disk: hashing cannot hide a disk slower than the hash.
    const ddCopy = path.join(s.dir, 'dd.bin');
    const ddArgs = [`if=${big}`, `of=${ddCopy}`, 'bs=4M', 'conv=fdatasync', 'status=none'];
    const dd = Math.min(...[1, 2, 3].map(() => timedCommand('dd', ddArgs)));
    fs.rmSync(ddCopy);
    const storeDir = path.join(s.dir, 'store');
    const put = bestOf(3, 'put', storeDir, big);
    report(`put ${bigBytes / MiB} MiB file (durable)`, mb / put.seconds, mb / openssl, 'MB/s', { anchorName: 'openssl dgst', better: 'higher', goal: 0.7 });
    report(`put ${bigBytes / MiB} MiB file (durable)`, mb / put.seconds, mb / dd, 'MB/s', { anchorName: 'dd conv=fdatasync', better: 'higher' });
    const getTo = bestOf(2, 'getto', storeDir, put.result.digest);
    report(`get ${bigBytes / MiB} MiB, verified (getTo: stdout, downloads)`, mb / getTo.seconds, mb / openssl, 'MB/s', { anchorName: 'openssl dgst', better: 'higher', goal: 0.8 });
    const get = bestOf(2, 'get', storeDir, put.result.digest);
    report(`get ${bigBytes / MiB} MiB, verified Readable stream`, mb / get.seconds, mb / openssl, 'MB/s', { anchorName: 'openssl dgst', better: 'higher' });
    const out = path.join(s.dir, 'out.bin');
    const getFile = bestOf(2, 'getfile', storeDir, `${put.result.digest}=>${out}`);
    report(`get ${bigBytes / MiB} MiB -o FILE (verified, durable)`, mb / getFile.seconds, mb / openssl, 'MB/s', { anchorName: 'openssl dgst', better: 'higher' });
    figure(`peak RSS of put ${bigBytes / MiB} MiB (goal < 150)`, put.maxRssMb, 'MB');
    figure(`peak RSS of get ${bigBytes / MiB} MiB (goal < 150)`, Math.max(get.maxRssMb, getTo.maxRssMb, getFile.maxRssMb), 'MB');
    fs.rmSync(out, { force: true });
    fs.rmSync(big, { force: true });
    fs.rmSync(storeDir, { recursive: true, force: true });

    const files = path.join(s.dir, 'files');
    fs.mkdirSync(files);
    const names: string[] = [];
    for (let i = 0; i < smallCount; i++) {
      const f = path.join(files, `f${i}`);
      fs.writeFileSync(f, randomBytes(4096));
      names.push(f);
    }
    // Best of two on both sides, each run into a fresh repository / store (git skips objects it
    // already has, and so would a second put of ours): the disk's swings hit both alike.
    const gitRun = (round: number): number => {
      const repo = path.join(s.dir, `repo${round}`);
      spawnSync('git', ['init', '-q', repo]);
      return timedCommand('git', ['-C', repo, 'hash-object', '-w', '--stdin-paths'], { input: `${names.join('\n')}\n` });
    };
    const git = Math.min(gitRun(1), gitRun(2));
    const putAll = async (round: number): Promise<{ seconds: number; store: CasStore }> => {
      const store = new CasStore(createFileBackend({ dir: path.join(s.dir, `small${round}`) }));
      await store.open();
      const t = await timed(() => mapLimit(names, 64, (f) => openFileSource(f).then(({ reader }) => store.put(reader))));
      return { seconds: t.seconds, store };
    };
    const first = await putAll(1);
    await first.store.close();
    const second = await putAll(2);
    const store = second.store;
    const small = { seconds: Math.min(first.seconds, second.seconds) };
    report(`put ${smallCount} x 4 KiB (fsync each, 64 at once)`, smallCount / small.seconds, smallCount / git, 'obj/s', { anchorName: 'git hash-object -w', better: 'higher', goal: 1 });
    const dry = await timed(() => collectGarbage(store, { olderThanMs: 0, dryRun: true }));
    if (dry.value.objects_deleted !== smallCount) throw new Error(`gc dry run saw ${dry.value.objects_deleted} of ${smallCount}`);
    figure(`gc dry run over ${smallCount} objects`, dry.seconds, 's');
    const gc = await timed(() => collectGarbage(store, { olderThanMs: 0 }));
    if (gc.value.objects_deleted !== smallCount) throw new Error(`gc removed ${gc.value.objects_deleted} of ${smallCount}`);
    figure(`gc over ${smallCount} objects`, gc.seconds, 's');
    await store.close();
  } finally {
    s.cleanup();
  }
}

const at = process.argv.indexOf('--cas-child');
if (at >= 0) await child(process.argv[at + 1]!, process.argv[at + 2]!, process.argv[at + 3]!);
else await main();
