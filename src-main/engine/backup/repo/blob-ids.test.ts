import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/temp-dir.js';
import { blobIdsCacheDir, loadBlobIds } from './blob-ids.js';
import { loadIndex } from './index-file.js';
import { openRepo } from './layout.js';
import { writeSnapshotOf, type SnapshotMeta } from './write-snapshot.js';

function meta(name: string): SnapshotMeta {
  return { name, tool: { name: 'test', version: '0' }, home: '/home/test/.foxctl', status: 'ok', problems: [], components: ['observability'] };
}

/** A repository with two snapshots of a growing log (two index files); returns its paths. */
async function repoWithTwoIndexFiles(): Promise<Awaited<ReturnType<typeof openRepo>>> {
  const root = tempDir('foxctl-blob-ids-');
  const repo = await openRepo(path.join(root, 'repository'), { create: true });
  const log = path.join(root, 'events.ndjson');
  const lines = (from: number, n: number): string => Array.from({ length: n }, (_, i) => `${JSON.stringify({ n: from + i, pad: 'x'.repeat(200 + ((from + i) % 97)) })}\n`).join('');
  fs.writeFileSync(log, lines(0, 3000));
  const src = [{ read: log, path: 'observability/events.ndjson', component: 'observability', store: null, kind: 'file' as const }];
  await writeSnapshotOf(repo, src, meta('one'));
  fs.appendFileSync(log, lines(3000, 2000));
  await writeSnapshotOf(repo, src, meta('two'));
  expect(fs.readdirSync(repo.paths.index)).toHaveLength(2);
  return repo;
}

describe('blob ids of the index', () => {
  it('are the ids loadIndex finds, from the cache once written; a damaged cache is parsed again, a damaged index is refused', async () => {
    const repo = await repoWithTwoIndexFiles();
    const all = new Set((await loadIndex(repo.paths)).blobs.keys());
    expect(all.size).toBeGreaterThan(10);
    // Each backup cached the ids of the index file it wrote.
    const cache = blobIdsCacheDir(repo.paths);
    expect(fs.readdirSync(cache).sort()).toEqual(fs.readdirSync(repo.paths.index).map((n) => n.replace(/\.json$/, '.ids')).sort());
    expect(await loadBlobIds(repo.paths)).toEqual(all);

    // A cache file that lies (an id changed, or torn) fails its checksum: the index is parsed again and the cache rewritten.
    const [first] = fs.readdirSync(cache).sort();
    const file = path.join(cache, first!);
    const text = fs.readFileSync(file, 'latin1');
    const lines = text.split('\n');
    lines[1] = lines[1]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    fs.writeFileSync(file, lines.join('\n'));
    expect(await loadBlobIds(repo.paths)).toEqual(all);
    expect(fs.readFileSync(file, 'latin1')).toBe(text);
    fs.writeFileSync(file, text.slice(0, text.length / 2));
    expect(await loadBlobIds(repo.paths)).toEqual(all);
    expect(fs.readFileSync(file, 'latin1')).toBe(text);

    // An index file whose bytes changed is CORRUPT, whatever the cache says.
    const indexFile = path.join(repo.paths.index, first!.replace(/\.ids$/, '.json'));
    const bytes = fs.readFileSync(indexFile);
    fs.writeFileSync(indexFile, Buffer.concat([bytes, Buffer.from(' ')]));
    await expect(loadBlobIds(repo.paths)).rejects.toMatchObject({ code: 'CORRUPT' });
    fs.writeFileSync(indexFile, bytes);

    // The cache of an index file that is gone (a prune rewrote it) goes too.
    fs.rmSync(indexFile);
    const left = await loadBlobIds(repo.paths);
    expect(left.size).toBeLessThan(all.size);
    expect(fs.readdirSync(cache)).toEqual(fs.readdirSync(repo.paths.index).map((n) => n.replace(/\.json$/, '.ids')));
  });

  it('works without a cache directory, and writes one', async () => {
    const repo = await repoWithTwoIndexFiles();
    const all = new Set((await loadIndex(repo.paths)).blobs.keys());
    fs.rmSync(blobIdsCacheDir(repo.paths), { recursive: true });
    expect(await loadBlobIds(repo.paths)).toEqual(all);
    expect(fs.readdirSync(blobIdsCacheDir(repo.paths))).toHaveLength(2);
  });
});
