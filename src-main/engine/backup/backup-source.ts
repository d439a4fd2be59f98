import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, isFoxError } from '../errors.js';
import { repoPaths, type RepoPaths } from './repo/layout.js';
import { snapshotPath } from './repo/snapshot-file.js';
import { resolveArchive } from './names.js';

/** Where a backup's bytes are: a Go-format archive, or a snapshot of the repository. */
export type BackupSource = { kind: 'tar'; name: string; path: string } | { kind: 'snapshot'; name: string; repo: RepoPaths; file: string };

/** The snapshot repository of a home: `<paths.backups>/repository` (docs/snapshot-repository.md). */
export function snapshotRepoRoot(config: FoxConfig): string {
  return path.join(config.backupsDir, 'repository');
}

/** The snapshot file a bare name would be, or undefined when the text cannot name a snapshot. */
function snapshotCandidate(config: FoxConfig, raw: string): { repo: RepoPaths; file: string } | undefined {
  if (raw.includes('/') || raw.includes(path.sep) || raw.endsWith('.tar.gz')) return undefined;
  const repo = repoPaths(snapshotRepoRoot(config));
  try {
    return { repo, file: snapshotPath(repo, raw) };
  } catch {
    return undefined;
  }
}

/**
 * Finds a backup from what a user typed, in either format: an archive as resolveArchive finds it
 * (name, file name, path, the Go tool's places), or a snapshot `<paths.backups>/repository/
 * snapshots/<name>.json`. NOT_FOUND names every place looked in; a name that is both an archive
 * and a snapshot is CONFLICT, since restoring the wrong one would be silent.
 */
export function resolveBackupSource(config: FoxConfig, nameOrPath: string): BackupSource {
  const raw = nameOrPath.trim();
  const snap = snapshotCandidate(config, raw);
  const snapExists = snap !== undefined && fs.existsSync(snap.file);
  let archive: { name: string; path: string } | undefined;
  try {
    archive = resolveArchive(config, raw);
  } catch (err) {
    if (!snapExists) {
      if (isFoxError(err, 'NOT_FOUND') && snap) throw new FoxError('NOT_FOUND', err.message.replace(/\); run/, `, ${snap.file}); run`), { subject: `backup ${raw}` });
      throw err;
    }
  }
  if (archive && snapExists) {
    throw new FoxError('CONFLICT', `"${raw}" names both the archive ${archive.path} and the snapshot ${snap.file}; rename or delete one of them`, { subject: `backup ${raw}` });
  }
  if (archive) return { kind: 'tar', ...archive };
  return { kind: 'snapshot', name: raw, repo: snap!.repo, file: snap!.file };
}
