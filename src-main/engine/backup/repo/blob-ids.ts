import fs from 'node:fs/promises';
import path from 'node:path';
import { isErrno, tempName } from '../../cas/fs-util.js';
import { CACHE_DIR } from '../verify-record.js';
import { indexFiles, parseIndexFile, type IndexPack } from './index-file.js';
import { sha256Hex, type RepoPaths } from './layout.js';

/**
 * Where a backup keeps, per index file, the ids of the blobs it holds: outside the repository, in
 * the backups dir's cache beside the manifest caches (`.manifests/index-ids/`: this machine's,
 * never pushed, never read by restore or verify), so that the next backup need not parse every
 * index file again (~10 MB of JSON for a 400 MB home). Deleting it only costs that parse.
 */
export function blobIdsCacheDir(paths: RepoPaths): string {
  return path.join(path.dirname(paths.root), CACHE_DIR, 'index-ids');
}

/** The blob ids an index file's packs hold, in order. */
export function blobIdsOf(packs: IndexPack[]): string[] {
  const ids: string[] = [];
  for (const p of packs) for (const frame of p.frames) for (const blob of frame.blobs) ids.push(blob.id);
  return ids;
}

/**
 * The cache file's text: the index file's id, its blob ids one a line, then `sha256:` of all
 * that: a torn or changed cache file fails the check and is parsed from its index file again.
 */
function cacheText(indexId: string, ids: string[]): string {
  const body = `${indexId}\n${ids.map((id) => `${id}\n`).join('')}`;
  return `${body}sha256:${sha256Hex(body)}\n`;
}

function parseCache(text: string, indexId: string): string[] | undefined {
  const at = text.lastIndexOf('sha256:');
  if (at < 0 || !text.endsWith('\n')) return undefined;
  const body = text.slice(0, at);
  if (text.slice(at + 'sha256:'.length, -1) !== sha256Hex(body)) return undefined;
  const lines = body.split('\n');
  lines.pop();
  if (lines.shift() !== indexId) return undefined;
  return lines;
}

/** Writes the cache of one index file (a plain temp + rename: a torn one fails its check). Failing to write it is harmless. */
export async function cacheBlobIds(paths: RepoPaths, indexId: string, ids: string[]): Promise<void> {
  const dir = blobIdsCacheDir(paths);
  try {
    await fs.mkdir(dir, { recursive: true });
    const tmp = tempName(dir, '.tmp');
    await fs.writeFile(tmp, cacheText(indexId, ids), { mode: 0o600 });
    await fs.rename(tmp, path.join(dir, `${indexId}.ids`)).catch(async (err: unknown) => {
      await fs.rm(tmp, { force: true });
      throw err;
    });
  } catch {
    // A cache only: the next backup parses the index file instead.
  }
}

/**
 * Every blob id the repository's index files hold: what a backup deduplicates against and may
 * name again. Each index file is read and checked against its name exactly as loadIndex does
 * (CORRUPT when its bytes changed); only the JSON parse is skipped when the cache holds the ids
 * of that very file (its name is the hash of its bytes, just checked) and the cache passes its
 * own checksum. Cache files of index files that are gone (a prune) are removed.
 */
export async function loadBlobIds(paths: RepoPaths): Promise<Set<string>> {
  const ids = new Set<string>();
  const dir = blobIdsCacheDir(paths);
  const seen = new Set<string>();
  for await (const { id, file, bytes } of indexFiles(paths)) {
    seen.add(`${id}.ids`);
    let cached: string[] | undefined;
    try {
      cached = parseCache(await fs.readFile(path.join(dir, `${id}.ids`), 'latin1'), id);
    } catch (err) {
      if (!isErrno(err, 'ENOENT')) cached = undefined;
    }
    const list = cached ?? blobIdsOf(parseIndexFile(bytes, file));
    for (const b of list) ids.add(b);
    if (!cached) await cacheBlobIds(paths, id, list);
  }
  try {
    for (const n of await fs.readdir(dir)) if (!seen.has(n)) await fs.rm(path.join(dir, n), { force: true });
  } catch {
    // No cache yet.
  }
  return ids;
}
