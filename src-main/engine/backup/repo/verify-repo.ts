import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { isFoxError, throwIfAborted, toFoxError, type OpOptions } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import { BlobReader } from './blob-reader.js';
import { parseList } from './file-blobs.js';
import { loadIndex, type IndexPack } from './index-file.js';
import { packPath, sha256Hex, type RepoPaths } from './layout.js';
import { listSnapshotNames, readSnapshot } from './snapshot-file.js';

const gunzip = promisify(zlib.gunzip);

/** Something verify found, with every snapshot file that depends on it. */
export interface RepoProblem {
  kind: 'pack' | 'blob' | 'snapshot';
  pack?: string;
  blob?: string;
  snapshot?: string;
  detail: string;
  usedBy: { snapshot: string; path: string }[];
}

/** What a verify of the whole repository read and found. */
export interface RepoVerifyResult {
  packs: number;
  blobs: number;
  /** Compressed bytes read. */
  bytes: number;
  snapshots: { name: string; ok: boolean }[];
  problems: RepoProblem[];
}

/**
 * Verifies a repository: each pack's bytes against its name, every frame decompressed and every
 * blob re-hashed against its id, then each snapshot's list and data blobs found and good. A bad
 * blob is named with the snapshots and files that use it. Never throws for what it finds.
 */
export async function verifyRepo(paths: RepoPaths, opts: OpOptions & { onPack?: (done: number, total: number) => void } = {}): Promise<RepoVerifyResult> {
  const index = await loadIndex(paths);
  const result: RepoVerifyResult = { packs: 0, blobs: 0, bytes: 0, snapshots: [], problems: [] };
  const bad = new Map<string, RepoProblem>();
  const packs = [...index.packs.values()];
  for (const p of packs) {
    throwIfAborted(opts.signal, 'verify');
    await verifyPack(paths, p, result, bad);
    opts.onPack?.(++result.packs, packs.length);
  }
  const reader = new BlobReader(paths, index);
  try {
    for (const name of await listSnapshotNames(paths)) {
      throwIfAborted(opts.signal, 'verify');
      let ok = true;
      try {
        const snap = await readSnapshot(paths, name);
        for (const f of snap.files) {
          const use = { snapshot: name, path: f.path };
          for (const listId of f.content) {
            if (!markUse(listId, use, bad, index.blobs.has(listId))) {
              ok = false;
              continue;
            }
            let ids: string[];
            try {
              ids = parseList(await reader.read(listId), listId);
            } catch (err) {
              result.problems.push({ kind: 'blob', blob: listId, detail: toFoxError(err).message, usedBy: [use] });
              ok = false;
              continue;
            }
            for (const id of ids) if (!markUse(id, use, bad, index.blobs.has(id))) ok = false;
          }
        }
      } catch (err) {
        if (!isFoxError(err)) throw err;
        result.problems.push({ kind: 'snapshot', snapshot: name, detail: err.message, usedBy: [] });
        ok = false;
      }
      result.snapshots.push({ name, ok });
    }
  } finally {
    await reader.close();
  }
  result.problems.push(...bad.values());
  return result;
}

/** Records that `use` needs blob `id`; false when the blob is bad or missing (its list is not read). */
function markUse(id: string, use: { snapshot: string; path: string }, bad: Map<string, RepoProblem>, known: boolean): boolean {
  const problem = bad.get(id);
  if (problem) {
    if (!problem.usedBy.some((u) => u.snapshot === use.snapshot && u.path === use.path)) problem.usedBy.push(use);
    return false;
  }
  if (!known) {
    const missing: RepoProblem = { kind: 'blob', blob: id, detail: `blob ${id} is in no index file (missing)`, usedBy: [use] };
    bad.set(id, missing);
    return false;
  }
  return true;
}

/** Reads one pack whole: its hash, then each frame and blob. Bad blobs go to `bad`. */
async function verifyPack(paths: RepoPaths, p: IndexPack, result: RepoVerifyResult, bad: Map<string, RepoProblem>): Promise<void> {
  const file = packPath(paths, p.pack);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (err) {
    const detail = isErrno(err, 'ENOENT') ? `pack ${file} is missing` : toFoxError(err, file).message;
    result.problems.push({ kind: 'pack', pack: p.pack, detail, usedBy: [] });
    for (const f of p.frames) for (const b of f.blobs) bad.set(b.id, { kind: 'blob', blob: b.id, pack: p.pack, detail: `blob ${b.id}: ${detail}`, usedBy: [] });
    return;
  }
  result.bytes += bytes.length;
  const sha = crypto.createHash('sha256').update(bytes).digest('hex');
  if (sha !== p.pack) result.problems.push({ kind: 'pack', pack: p.pack, detail: `pack ${file} does not match its name (SHA-256 ${sha}): its bytes changed`, usedBy: [] });
  for (const f of p.frames) {
    let raw: Buffer | null = null;
    let why = '';
    try {
      raw = await gunzip(bytes.subarray(f.offset, f.offset + f.length));
      if (raw.length !== f.raw) throw new Error(`${raw.length} bytes where the index says ${f.raw}`);
    } catch (err) {
      why = `the frame at ${f.offset} of pack ${p.pack} does not decompress (${(err as Error).message})`;
      raw = null;
    }
    for (const b of f.blobs) {
      result.blobs++;
      const ok = raw !== null && sha256Hex(raw.subarray(b.offset, b.offset + b.length)) === b.id;
      if (!ok) bad.set(b.id, { kind: 'blob', blob: b.id, pack: p.pack, detail: `blob ${b.id}: ${why || `its bytes in pack ${p.pack} do not match its id`}`, usedBy: [] });
    }
  }
}
