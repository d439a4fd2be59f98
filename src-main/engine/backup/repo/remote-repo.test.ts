import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/temp-dir.js';
import { createS3Client } from '../../cas/s3-client.js';
import { S3RVER_CREDENTIALS, startS3rver } from '../../../test/s3rver.js';
import { BlobReader } from './blob-reader.js';
import { writeStoredFile } from './file-blobs.js';
import { loadIndex } from './index-file.js';
import { openRepo } from './layout.js';
import { RemoteRepo } from './remote-repo.js';
import { listSnapshotNames, readSnapshot } from './snapshot-file.js';
import { verifyRepo } from './verify-repo.js';
import { writeSnapshotOf, type SnapshotSource } from './write-snapshot.js';

const s3 = await startS3rver('repo-push');
afterAll(() => s3.stop());
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

function dir(): string {
  return tempDir('foxctl-repo-s3-');
}

function remote(prefix: string): RemoteRepo {
  const r = new RemoteRepo(s3.settings({ credentials: S3RVER_CREDENTIALS, prefix }));
  cleanups.push(() => r.close());
  return r;
}

/** A log whose lines never repeat: ~`kb` KiB, the first `keep` lines shared with other logs of the same seed. */
function log(file: string, seed: string, kb: number): void {
  let h = seed;
  const out: string[] = [];
  for (let size = 0; size < kb * 1024; ) {
    h = crypto.createHash('sha256').update(h).digest('hex');
    out.push(`{"h":"${h}","n":"${h.slice(0, 24)}"}\n`);
    size += out.at(-1)!.length;
  }
  fs.writeFileSync(file, out.join(''));
}

const SIZES = { frame: 64 * 1024, pack: 128 * 1024, concurrency: 2 };
const META = { tool: { name: 'test', version: '0' }, home: '/h', status: 'ok' as const, problems: [], components: ['observability'] };
const src = (read: string): SnapshotSource[] => [{ read, path: 'observability/events.ndjson', component: 'observability', store: null, kind: 'file' }];

describe('snapshot repository on S3 (s3rver)', () => {
  it('pushes only the packs the bucket lacks, and pulls a snapshot into an empty repository byte for byte', async () => {
    const work = dir();
    const repo = await openRepo(path.join(work, 'repository'), { create: true });
    const file = path.join(work, 'events.ndjson');
    log(file, 'a', 1024);
    await writeSnapshotOf(repo, src(file), { ...META, name: 'one' }, { packSizes: SIZES });
    fs.appendFileSync(file, '{"appended":true}\n');
    await writeSnapshotOf(repo, src(file), { ...META, name: 'two' }, { packSizes: SIZES });

    const r = remote('p1/');
    const first = await r.push(repo, 'one');
    expect(first.packsMoved).toBe(first.packsNeeded);
    expect(first.packsMoved).toBeGreaterThan(2);
    const second = await r.push(repo, 'two');
    // The appended line changes the last chunk only: one or two packs travel, not the log.
    expect(second.packsMoved).toBeLessThanOrEqual(2);
    expect(second.bytesMoved).toBeLessThan(first.bytesMoved / 4);

    const other = await openRepo(path.join(dir(), 'repository'), { create: true });
    const pulled = await r.pull(other, 'two');
    expect(pulled.packsMoved).toBe(pulled.packsNeeded);
    expect(await listSnapshotNames(other.paths)).toEqual(['two']);
    expect((await verifyRepo(other.paths)).problems).toEqual([]);
    const reader = new BlobReader(other.paths, await loadIndex(other.paths));
    try {
      const out = path.join(dir(), 'restored.ndjson');
      await writeStoredFile(reader, (await readSnapshot(other.paths, 'two')).files[0]!, out);
      expect(fs.readFileSync(out).equals(fs.readFileSync(file))).toBe(true);
    } finally {
      await reader.close();
    }
  });

  it('a pack whose bytes changed in the bucket is refused on pull, and no snapshot appears', async () => {
    const work = dir();
    const repo = await openRepo(path.join(work, 'repository'), { create: true });
    const file = path.join(work, 'events.ndjson');
    log(file, 'b', 512);
    await writeSnapshotOf(repo, src(file), { ...META, name: 'one' }, { packSizes: SIZES });
    const r = remote('p2/');
    await r.push(repo, 'one');
    const pack = [...(await loadIndex(repo.paths)).packs.keys()][0]!;
    const raw = createS3Client(s3.settings({ credentials: S3RVER_CREDENTIALS }));
    cleanups.push(() => raw.destroy());
    await raw.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `p2/repository/packs/${pack.slice(0, 2)}/${pack}.pack`, Body: Buffer.from('not the pack') }));

    const other = await openRepo(path.join(dir(), 'repository'), { create: true });
    await expect(r.pull(other, 'one')).rejects.toThrow(/does not match its name|missing/);
    expect(await listSnapshotNames(other.paths)).toEqual([]);
    expect((await verifyRepo(other.paths)).problems).toEqual([]);
  });

  it('refuses to push into the prefix of another repository', async () => {
    const a = await openRepo(path.join(dir(), 'repository'), { create: true });
    const b = await openRepo(path.join(dir(), 'repository'), { create: true });
    const file = path.join(dir(), 'x.ndjson');
    log(file, 'c', 64);
    await writeSnapshotOf(a, src(file), { ...META, name: 'a' });
    await writeSnapshotOf(b, src(file), { ...META, name: 'b' });
    const r = remote('p3/');
    await r.push(a, 'a');
    await expect(r.push(b, 'b')).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
