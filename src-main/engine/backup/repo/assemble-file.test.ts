import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/temp-dir.js';
import { assembleFile, fileSlices } from './assemble-file.js';
import type { StoredFile } from './file-blobs.js';
import { FramePool } from './frame-pool.js';
import { loadIndex, writeIndexFile, type RepoIndex } from './index-file.js';
import { openRepo, packPath, sha256Hex, type RepoPaths } from './layout.js';
import { PackWriter } from './pack-writer.js';
import { ParallelBlobReader } from './parallel-reader.js';

const pools: FramePool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

/** Stores `parts` as blobs (repeats stored once) in tiny frames, and a file naming them in order. */
async function storeParts(paths: RepoPaths, parts: Buffer[]): Promise<StoredFile> {
  const writer = new PackWriter(paths, () => false, { frame: 8 * 1024, pack: 64 * 1024, concurrency: 2 });
  const ids: string[] = [];
  for (const p of parts) ids.push(await writer.add(p, 'data'));
  // Two list blobs, so the file's runs come from two lists.
  const half = Math.ceil(ids.length / 2);
  const content = [await writer.add(Buffer.from(`${ids.slice(0, half).join('\n')}\n`), 'list'), await writer.add(Buffer.from(`${ids.slice(half).join('\n')}\n`), 'list')];
  await writeIndexFile(paths, await writer.finish());
  const whole = Buffer.concat(parts);
  return { size: whole.length, sha256: sha256Hex(whole), content };
}

async function reader(paths: RepoPaths, index?: RepoIndex, cacheBytes?: number): Promise<ParallelBlobReader> {
  const pool = new FramePool(2);
  pools.push(pool);
  return new ParallelBlobReader(paths, index ?? (await loadIndex(paths)), { pool, ...(cacheBytes !== undefined ? { cacheBytes } : {}) });
}

describe('assembleFile', () => {
  it('writes a file byte for byte from blobs that repeat and come from many frames, whatever the cache keeps', async () => {
    const dir = tempDir('foxctl-assemble-');
    const { paths } = await openRepo(path.join(dir, 'repo'), { create: true });
    const a = crypto.randomBytes(3000);
    const b = Buffer.alloc(4096, 7);
    const parts: Buffer[] = [];
    for (let i = 0; i < 120; i++) parts.push(i % 5 === 0 ? a : i % 7 === 0 ? b : crypto.randomBytes(1000 + (i % 13) * 200));
    const entry = await storeParts(paths, parts);
    const expected = Buffer.concat(parts);
    // A cache of one frame makes every repeat a reload; the default keeps them.
    for (const cacheBytes of [1, undefined]) {
      const r = await reader(paths, undefined, cacheBytes);
      const out = path.join(dir, `out-${cacheBytes ?? 'default'}`);
      await assembleFile(r, entry, out, { sync: false });
      expect(fs.readFileSync(out).equals(expected)).toBe(true);
      await r.close();
    }
  });

  it('fails with CORRUPT naming the blob and removes the file when a blob it uses is bad; a bad neighbour it does not use is no failure', async () => {
    const dir = tempDir('foxctl-assemble-');
    const { paths } = await openRepo(path.join(dir, 'repo'), { create: true });
    const used = [crypto.randomBytes(2000), crypto.randomBytes(2000)];
    const unused = crypto.randomBytes(2000);
    const entry = await storeParts(paths, used);
    const index = await loadIndex(paths);
    const loc = index.blobs.get(sha256Hex(used[1]!))!;
    // The index now says the second blob is `unused`'s bytes: what the frame holds there no longer
    // matches its id. The first blob, in the same frame, is good.
    const liar = sha256Hex(unused);
    const frameBlob = loc.frame.blobs.find((x) => x.id === loc.blob.id)!;
    frameBlob.id = liar;
    index.blobs.set(liar, { ...loc, blob: frameBlob });
    const other: StoredFile = { ...entry, content: [await listOf(paths, [sha256Hex(used[0]!)])], size: used[0]!.length, sha256: sha256Hex(used[0]!) };
    const bad: StoredFile = { ...entry, content: [await listOf(paths, [liar])], size: unused.length, sha256: liar };
    const both = [await listOf(paths, [sha256Hex(used[0]!), liar])];
    const r = await reader(paths, await mergedIndex(paths, index));
    const ok = path.join(dir, 'ok');
    await assembleFile(r, other, ok, { sync: false });
    expect(fs.readFileSync(ok).equals(used[0]!)).toBe(true);
    const out = path.join(dir, 'bad');
    await expect(assembleFile(r, bad, out, { sync: false })).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringContaining(`blob ${liar} in pack ${loc.pack} does not match its id`) });
    expect(fs.existsSync(out)).toBe(false);
    // Verify's way: the bad blob is reported and left out, the rest still comes.
    const seen: string[] = [];
    const got: Buffer[] = [];
    for await (const s of fileSlices(r, { content: both }, { onBad: (id) => seen.push(id) })) got.push(s);
    expect(seen).toEqual([liar]);
    expect(Buffer.concat(got).equals(used[0]!)).toBe(true);
    await r.close();
  });

  it('names the pack when a frame does not decompress', async () => {
    const dir = tempDir('foxctl-assemble-');
    const { paths } = await openRepo(path.join(dir, 'repo'), { create: true });
    const entry = await storeParts(paths, [crypto.randomBytes(5000), crypto.randomBytes(5000)]);
    const index = await loadIndex(paths);
    const pack = [...index.packs.values()][0]!;
    const file = packPath(paths, pack.pack);
    const fd = fs.openSync(file, 'r+');
    // The gzip header's magic of the first frame: that member can no longer be inflated.
    fs.writeSync(fd, Buffer.from([0, 0]), 0, 2, pack.frames[0]!.offset);
    fs.closeSync(fd);
    const r = await reader(paths, index);
    const out = path.join(dir, 'out');
    await expect(assembleFile(r, entry, out, { sync: false })).rejects.toMatchObject({ code: 'CORRUPT', message: expect.stringMatching(new RegExp(`^pack ${file}: the frame at 0 does not decompress`)) });
    expect(fs.existsSync(out)).toBe(false);
    await r.close();
  });
});

/** A list blob of `ids`, stored in a pack of its own (and indexed). */
async function listOf(paths: RepoPaths, ids: string[]): Promise<string> {
  const writer = new PackWriter(paths, () => false);
  const id = await writer.add(Buffer.from(`${ids.join('\n')}\n`), 'list');
  await writeIndexFile(paths, await writer.finish());
  return id;
}

/** `index` plus the blobs of index files written since (the list blobs above). */
async function mergedIndex(paths: RepoPaths, index: RepoIndex): Promise<RepoIndex> {
  const fresh = await loadIndex(paths);
  for (const [id, loc] of fresh.blobs) if (!index.blobs.has(id)) index.blobs.set(id, loc);
  return index;
}
