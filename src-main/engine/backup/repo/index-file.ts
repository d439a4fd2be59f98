import fs from 'node:fs/promises';
import path from 'node:path';
import { FoxError, toFoxError } from '../../errors.js';
import { isErrno } from '../../cas/fs-util.js';
import { isHexId, publishFile, sha256Hex, type RepoPaths } from './layout.js';

/** `data`: file content; `list`: the ids of a file's data blobs, one 64-hex line each. */
export type BlobType = 'data' | 'list';

/** A blob inside a decompressed frame. */
export interface IndexBlob {
  id: string;
  type: BlobType;
  offset: number;
  length: number;
}

/** One gzip member of a pack: its bytes in the pack and its blobs once decompressed. */
export interface IndexFrame {
  offset: number;
  length: number;
  /** Uncompressed length. */
  raw: number;
  blobs: IndexBlob[];
}

/** A pack as an index file describes it. */
export interface IndexPack {
  pack: string;
  size: number;
  frames: IndexFrame[];
}

/** Where one blob is. */
export interface BlobLocation {
  pack: string;
  frame: IndexFrame;
  blob: IndexBlob;
}

/** Every index file of a repository, merged: blob id -> where to read it. */
export interface RepoIndex {
  blobs: Map<string, BlobLocation>;
  /** Pack id -> its description (the first index file naming it wins). */
  packs: Map<string, IndexPack>;
  /** The index files read (their ids), for prune to replace. */
  files: string[];
}

/** Writes an index file of `packs`; returns its id (the SHA-256 of its bytes, also its name). */
export async function writeIndexFile(paths: RepoPaths, packs: IndexPack[]): Promise<string> {
  const text = `${JSON.stringify({ version: 1, packs })}\n`;
  const id = sha256Hex(text);
  await publishFile(path.join(paths.index, `${id}.json`), text);
  return id;
}

/**
 * Reads every index file. A file whose bytes do not match its name, or that does not parse, is
 * refused as CORRUPT naming it: a silently skipped index would make its blobs look missing, and
 * a prune would then delete packs that snapshots still use.
 */
export async function loadIndex(paths: RepoPaths): Promise<RepoIndex> {
  const index: RepoIndex = { blobs: new Map(), packs: new Map(), files: [] };
  for await (const { id, file, bytes } of indexFiles(paths)) {
    const packs = parseIndexFile(bytes, file);
    index.files.push(id);
    for (const p of packs) {
      if (!index.packs.has(p.pack)) index.packs.set(p.pack, p);
      for (const frame of p.frames) for (const blob of frame.blobs) if (!index.blobs.has(blob.id)) index.blobs.set(blob.id, { pack: p.pack, frame, blob });
    }
  }
  return index;
}

/**
 * Every index file of a repository in name order, its bytes checked against its name (CORRUPT
 * naming the file when they differ). `*.tmp` files of a writer that died are never read.
 */
export async function* indexFiles(paths: RepoPaths): AsyncGenerator<{ id: string; file: string; bytes: Buffer }> {
  let names: string[];
  try {
    names = await fs.readdir(paths.index);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return;
    throw toFoxError(err, paths.index);
  }
  for (const name of names.sort()) {
    const m = /^([0-9a-f]{64})\.json$/.exec(name);
    if (!m) continue; // *.tmp of a writer that died, or a stranger: never read.
    const file = path.join(paths.index, name);
    // Hashed as the bytes on disk (no re-encoding of a string of many MB), parsed after.
    const bytes = await fs.readFile(file);
    if (sha256Hex(bytes) !== m[1]) throw new FoxError('CORRUPT', `index file ${file} does not match its name (its bytes changed)`, { subject: file });
    yield { id: m[1]!, file, bytes };
  }
}

/** The packs an index file describes (CORRUPT when it does not parse or names a pack that is not a SHA-256). */
export function parseIndexFile(bytes: Buffer, file: string): IndexPack[] {
  let packs: IndexPack[];
  try {
    packs = (JSON.parse(bytes.toString('utf8')) as { packs: IndexPack[] }).packs;
    if (!Array.isArray(packs)) throw new Error('no "packs" list');
  } catch (err) {
    throw new FoxError('CORRUPT', `index file ${file} does not parse: ${(err as Error).message}`, { subject: file, cause: err });
  }
  for (const p of packs) {
    if (!isHexId(p.pack)) throw new FoxError('CORRUPT', `index file ${file} names a pack that is not a SHA-256: ${JSON.stringify(p.pack)}`, { subject: file });
  }
  return packs;
}
