import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FoxError, isFoxError, toFoxError } from '../../errors.js';
import { ensureDir } from '../../util/ensure-dir.js';
import { fsyncDir, isErrno, tempName } from '../../cas/fs-util.js';

/** The format name in config.json: what tells a snapshot repository from any other directory. */
export const REPO_FORMAT = 'foxctl-snapshots';
/** The one version of the format this code reads and writes. */
export const REPO_VERSION = 1;

/** config.json of a repository (docs/snapshot-repository.md "Layout"). */
export interface RepoConfig {
  format: typeof REPO_FORMAT;
  version: number;
  /** Random 32-hex id: two repositories never mix packs by accident. */
  id: string;
  created_at: string;
  /** Content-defined chunking of non-database files, in bytes. */
  chunker: { min: number; avg: number; max: number };
}

/** The directories of a repository. */
export interface RepoPaths {
  root: string;
  config: string;
  packs: string;
  index: string;
  snapshots: string;
  locks: string;
}

/** The paths of the repository at `root`. */
export function repoPaths(root: string): RepoPaths {
  return {
    root,
    config: path.join(root, 'config.json'),
    packs: path.join(root, 'packs'),
    index: path.join(root, 'index'),
    snapshots: path.join(root, 'snapshots'),
    locks: path.join(root, 'locks'),
  };
}

/** The chunker of a new repository: FastCDC's sizes for files that are mostly appended to. */
export const DEFAULT_CHUNKER = { min: 16 * 1024, avg: 64 * 1024, max: 256 * 1024 } as const;

/**
 * Opens the repository at `root`, creating it when `create` is set and it does not exist. A
 * directory whose config.json is not ours (or of a newer version) is refused, never written to.
 */
export async function openRepo(root: string, opts: { create?: boolean } = {}): Promise<{ paths: RepoPaths; config: RepoConfig }> {
  const paths = repoPaths(root);
  let text: string | undefined;
  try {
    text = await fs.readFile(paths.config, 'utf8');
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw toFoxError(err, paths.config);
  }
  if (text === undefined) {
    if (!opts.create) throw new FoxError('NOT_FOUND', `no snapshot repository at ${root} (it is created by the first snapshot backup)`, { subject: root });
    return { paths, config: await createRepo(paths) };
  }
  return { paths, config: parseConfig(text, paths.config) };
}

function parseConfig(text: string, file: string): RepoConfig {
  let c: Partial<RepoConfig>;
  try {
    c = JSON.parse(text) as Partial<RepoConfig>;
  } catch (err) {
    throw new FoxError('CORRUPT', `${file} is not JSON: ${(err as Error).message}`, { subject: file, cause: err });
  }
  if (c.format !== REPO_FORMAT) throw new FoxError('INVALID_INPUT', `${file} is not a foxctl snapshot repository (format ${JSON.stringify(c.format)})`, { subject: file });
  if (c.version !== REPO_VERSION) {
    throw new FoxError('UNSUPPORTED', `${file} is version ${String(c.version)} of the snapshot format; this build reads version ${REPO_VERSION}`, { subject: file });
  }
  const ch = c.chunker;
  if (!ch || !(ch.min > 0 && ch.min <= ch.avg && ch.avg <= ch.max)) throw new FoxError('CORRUPT', `${file} has no valid chunker sizes`, { subject: file });
  return c as RepoConfig;
}

async function createRepo(paths: RepoPaths): Promise<RepoConfig> {
  for (const dir of [paths.root, paths.packs, paths.index, paths.snapshots, paths.locks]) await ensureDir(dir, 'the snapshot repository');
  const config: RepoConfig = { format: REPO_FORMAT, version: REPO_VERSION, id: crypto.randomBytes(16).toString('hex'), created_at: new Date().toISOString(), chunker: { ...DEFAULT_CHUNKER } };
  try {
    // Linked, not renamed, into place: two processes creating one repository keep the first config.
    await publishFile(paths.config, `${JSON.stringify(config, null, 2)}\n`, { exclusive: true });
    return config;
  } catch (err) {
    if (isFoxError(err, 'CONFLICT')) return parseConfig(await fs.readFile(paths.config, 'utf8'), paths.config);
    throw err;
  }
}

/**
 * Writes `data` to `target` so that a crash leaves either nothing or the whole file: a temp file
 * in the same directory, fsync, rename (or link when `exclusive`: CONFLICT if the target exists),
 * fsync of the directory.
 */
export async function publishFile(target: string, data: string | Buffer, opts: { exclusive?: boolean } = {}): Promise<void> {
  const dir = path.dirname(target);
  await ensureDir(dir, 'the snapshot repository');
  const tmp = tempName(dir, '.tmp');
  const fh = await fs.open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    if (opts.exclusive) {
      try {
        await fs.link(tmp, target);
      } catch (err) {
        if (isErrno(err, 'EEXIST')) throw new FoxError('CONFLICT', `${target} already exists`, { subject: target });
        throw toFoxError(err, target);
      }
    } else await fs.rename(tmp, target);
  } finally {
    await fs.rm(tmp, { force: true });
  }
  await fsyncDir(dir);
}

/** The SHA-256 of bytes, lowercase hex: the name of every blob, pack and index file. */
export function sha256Hex(data: Buffer | string): string {
  // One-shot: no Hash object per 4 KiB page (a third faster on pages than createHash).
  return crypto.hash('sha256', data, 'hex');
}

/** Whether a string is a 64-hex SHA-256 (what every name in the repository must be). */
export function isHexId(s: string): boolean {
  return /^[0-9a-f]{64}$/.test(s);
}

/** Where the pack named `id` lives. */
export function packPath(paths: RepoPaths, id: string): string {
  return path.join(paths.packs, id.slice(0, 2), `${id}.pack`);
}
