// `npm run bench -- remote`: the s3 CAS backend against the bare AWS SDK on the same s3rver.
// - put of a 256 MiB file through the CAS (hash, multipart Upload to a temp key, server-side
//   copy under its digest, meta object) vs lib-storage `Upload` of the same file
// - verified get of it through the CAS vs a bare `GetObject` drained to nowhere
// s3rver runs in a child process so that server and client each get a core, as they would on
// two machines. Best of two runs for both sides.
// - `db migrate` of a 1,000,000-row store into PostgreSQL vs a bare multi-row INSERT of the same
//   rows with `pg` (read from the same SQLite file, same batch size, one transaction): rows/s.
//   The server is FOXCTL_TEST_POSTGRES_DSN, else a throwaway cluster (src-main/test/postgres.ts).
// FOXCTL_BENCH_SCALE=0.1 runs it at a tenth of the size, for a quick check;
// FOXCTL_BENCH_REMOTE=s3 or =pg runs one half only.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { CasStore } from '../src-main/engine/cas/guarded-store.js';
import { createS3Backend } from '../src-main/engine/cas/s3-backend.js';
import { createS3Client } from '../src-main/engine/cas/s3-client.js';
import type { S3Settings } from '../src-main/engine/cas/s3-config.js';
import { openFileSource } from '../src-main/engine/cas/source.js';
import { report, scratch, timed } from './lib.js';
import { benchDbMigrate } from './helpers/pg-migrate.js';

const MiB = 1 << 20;
const BUCKET = 'bench';

/** Child mode: s3rver on a free port (printed), until stdin closes. */
async function serve(): Promise<void> {
  const { startS3rver } = await import('../src-main/test/s3rver.js');
  const s3 = await startS3rver(BUCKET);
  process.stdout.write(`${s3.port}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void s3.stop().then(() => process.exit(0)));
}

const sink = (): Writable => new Writable({ highWaterMark: 4 * MiB, write: (_c, _e, cb) => cb() });

async function main(): Promise<void> {
  const only = process.env.FOXCTL_BENCH_REMOTE;
  if (only !== 'pg') await benchS3();
  if (only !== 's3') await benchDbMigrate(Number(process.env.FOXCTL_BENCH_SCALE ?? '1'));
}

async function benchS3(): Promise<void> {
  const scale = Number(process.env.FOXCTL_BENCH_SCALE ?? '1');
  const size = Math.max(8 * MiB, Math.round(256 * MiB * scale));
  const { dir, cleanup } = scratch('remote');
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--s3rver-child'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', (code) => reject(new Error(`s3rver child exited with ${code}`)));
    });
    const settings: S3Settings = { bucket: BUCKET, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, prefix: 'cas/', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, maxAttempts: 3, connectTimeoutMs: 5000 };
    const client = createS3Client(settings);
    const store = new CasStore(createS3Backend({ settings }));
    await store.open();
    const file = path.join(dir, 'object.bin');
    const fd = fs.openSync(file, 'w');
    for (let done = 0; done < size; done += 16 * MiB) fs.writeSync(fd, randomBytes(Math.min(16 * MiB, size - done)));
    fs.closeSync(fd);
    const mib = Math.round(size / MiB);

    const bare: number[] = [];
    const ours: number[] = [];
    let digest = '';
    for (let round = 0; round < 2; round++) {
      bare.push((await timed(() => new Upload({ client, params: { Bucket: BUCKET, Key: 'bare/object.bin', Body: fs.createReadStream(file, { highWaterMark: 4 * MiB }) }, partSize: 8 * MiB, queueSize: 4 }).done())).seconds);
      await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'bare/object.bin' }));
      if (digest) await store.remove(digest, { force: true });
      const { reader } = await openFileSource(file);
      const put = await timed(() => store.put(reader));
      digest = put.value.digest;
      ours.push(put.seconds);
    }
    report(`s3 put ${mib} MiB (CAS vs SDK Upload)`, mib / Math.min(...ours), mib / Math.min(...bare), 'MiB/s', { anchorName: 'Upload', better: 'higher', goal: 0.9 });

    await new Upload({ client, params: { Bucket: BUCKET, Key: 'bare/object.bin', Body: fs.createReadStream(file) }, partSize: 8 * MiB, queueSize: 4 }).done();
    const bareGet: number[] = [];
    const ourGet: number[] = [];
    for (let round = 0; round < 2; round++) {
      bareGet.push((await timed(async () => pipeline((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bare/object.bin' }))).Body as NodeJS.ReadableStream, sink()))).seconds);
      ourGet.push((await timed(async () => pipeline((await store.get(digest)).stream, sink()))).seconds);
    }
    report(`s3 get ${mib} MiB verified (CAS vs GetObject)`, mib / Math.min(...ourGet), mib / Math.min(...bareGet), 'MiB/s', { anchorName: 'GetObject', better: 'higher', goal: 0.9 });
    await store.close();
    client.destroy();
  } finally {
    child.stdin.end();
    await new Promise((r) => child.once('exit', r).once('error', r));
    cleanup();
  }
}

const at = process.argv.indexOf('--s3rver-child');
if (at >= 0) await serve();
else await main();
