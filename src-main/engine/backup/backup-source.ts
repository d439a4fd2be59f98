import type { FoxConfig } from '../config/resolve.js';
import type { RepoPaths } from './repo/layout.js';
import { resolveBackup } from './resolve-backup.js';

export { snapshotRepoRoot } from './resolve-backup.js';

/** Where a backup's bytes are: a Go-format archive, or a snapshot of the repository. */
export type BackupSource = { kind: 'tar'; name: string; path: string } | { kind: 'snapshot'; name: string; repo: RepoPaths; file: string };

/**
 * Finds a backup from what a user typed, in either format, by the one rule of resolveBackup (a
 * path or `*.tar.gz` is an archive, `snapshot:NAME` a snapshot, a bare name whichever exists and
 * CONFLICT when both do), in the shape restore, rehearse and browse read.
 */
export function resolveBackupSource(config: FoxConfig, nameOrPath: string): BackupSource {
  const found = resolveBackup(config, nameOrPath);
  return found.format === 'tar' ? { kind: 'tar', name: found.name, path: found.path } : { kind: 'snapshot', name: found.name, repo: found.repo, file: found.path };
}
