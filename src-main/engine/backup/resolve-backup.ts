import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, isFoxError } from '../errors.js';
import { resolveArchive } from './names.js';
import { repoPaths, type RepoPaths } from './repo/layout.js';
import { snapshotPath } from './repo/snapshot-file.js';

/** Written before a name to mean the snapshot when an archive has the same name (`snapshot:nightly`). */
export const SNAPSHOT_PREFIX = 'snapshot:';

/** A backup found by name: an archive file, or a snapshot file in the repository. */
export type ResolvedBackup = { format: 'tar'; name: string; path: string } | { format: 'snapshot'; name: string; path: string; repo: RepoPaths };

/** The snapshot repository of a home: `<paths.backups>/repository` (docs/snapshot-repository.md). */
export function snapshotRepoRoot(config: FoxConfig): string {
  return path.join(config.backupsDir, 'repository');
}

/** The snapshot file of `name` in the home's repository, when there is one (an invalid name has none). */
export function findSnapshot(config: FoxConfig, name: string): { name: string; path: string; repo: RepoPaths } | undefined {
  const repo = repoPaths(snapshotRepoRoot(config));
  let file: string;
  try {
    file = snapshotPath(repo, name);
  } catch {
    return undefined;
  }
  return fs.existsSync(file) ? { name, path: file, repo } : undefined;
}

/** The snapshot file a bare name would be (undefined when the text cannot name a snapshot). */
function snapshotFileOf(config: FoxConfig, raw: string): string | undefined {
  if (raw.includes('/') || raw.includes(path.sep) || raw.endsWith('.tar.gz')) return undefined;
  try {
    return snapshotPath(repoPaths(snapshotRepoRoot(config)), raw);
  } catch {
    return undefined;
  }
}

/**
 * Finds a backup from what a user typed: a path or `*.tar.gz` is an archive (resolveArchive); a
 * bare name is an archive or a snapshot of that name. When both exist the name is ambiguous and
 * CONFLICT says how to pick one, so that a delete never takes the other by surprise.
 */
export function resolveBackup(config: FoxConfig, nameOrPath: string): ResolvedBackup {
  const raw = nameOrPath.trim();
  if (raw.startsWith(SNAPSHOT_PREFIX)) {
    const name = raw.slice(SNAPSHOT_PREFIX.length);
    const snap = findSnapshot(config, name);
    if (!snap) throw new FoxError('NOT_FOUND', `no snapshot "${name}" in ${snapshotRepoRoot(config)}; run "foxctl backup list"`, { subject: `backup ${name}` });
    return { format: 'snapshot', ...snap };
  }
  const snap = raw.includes('/') || raw.includes(path.sep) || raw.endsWith('.tar.gz') ? undefined : findSnapshot(config, raw);
  let archive: { name: string; path: string };
  try {
    archive = resolveArchive(config, raw);
  } catch (err) {
    if (snap && isFoxError(err, 'NOT_FOUND')) return { format: 'snapshot', ...snap };
    // Neither form: the message names the snapshot file looked for too.
    const looked = snap === undefined && isFoxError(err, 'NOT_FOUND') ? snapshotFileOf(config, raw) : undefined;
    if (looked && isFoxError(err)) throw new FoxError('NOT_FOUND', err.message.replace(/\); run/, `, ${looked}); run`), { subject: `backup ${raw}` });
    throw err;
  }
  if (snap) {
    throw new FoxError(
      'CONFLICT',
      `"${raw}" names both the archive ${archive.path} and the snapshot ${snap.path}: say ${path.basename(archive.path)} for the archive or ${SNAPSHOT_PREFIX}${raw} for the snapshot`,
      { subject: `backup ${raw}` },
    );
  }
  return { format: 'tar', ...archive };
}
