import type { BackupSource } from './backup-source.js';
import type { ProgressSink } from './create.js';
import { readSnapshot } from './repo/snapshot-file.js';
import { extractArchive, extractSnapshot } from './restore-extract.js';
import { installStaged } from './restore-install.js';
import { runRestore, type RestoreHost, type RunOptions } from './restore-run.js';
import type { RestoreResult } from './types.js';

export { planRestore } from './restore-plan.js';
export type { RestoreHost } from './restore-run.js';

/**
 * Restores a backup. One pass over the archive extracts the selected files to temp files next
 * to their destinations while hashing them; nothing live changes until the whole archive read
 * cleanly, every selected file matches the manifest and every database passes a header check
 * and `PRAGMA quick_check` in its temp file. Then, for the files that replace live ones (in the
 * home, whether named as such or through --target): a database another process has open is
 * refused (CONFLICT) unless `forceInUse`; an automatic safety backup is taken; the engine's own
 * connections are closed; an existing database is written over through SQLite's backup API
 * (under its locks, so a process that has it open never keeps writing into an unlinked file),
 * anything else is renamed into place. One restore runs at a time per home (CONFLICT). A
 * failure before the first change removes every temp file and directory it made. `durable:
 * false` skips the fsyncs (a throwaway tree, as rehearse makes); `checkDatabases: false` leaves
 * the integrity checking to the caller (rehearse runs a full integrity_check and reports it).
 */
export async function restoreArchive(host: RestoreHost, name: string, file: string, opts: RunOptions, sink: ProgressSink): Promise<RestoreResult> {
  return runRestore(host, name, opts, sink, async (run) => installStaged(run, await extractArchive(run, file)));
}

/**
 * Restores a backup of either format: an archive as restoreArchive does, a snapshot with the
 * same plan, checks and install, its files re-assembled (every blob re-hashed, every file
 * checked against its SHA-256) into the temps before anything live changes.
 */
export async function restoreBackup(host: RestoreHost, source: BackupSource, opts: RunOptions, sink: ProgressSink): Promise<RestoreResult> {
  if (source.kind === 'tar') return restoreArchive(host, source.name, source.path, opts, sink);
  const snap = await readSnapshot(source.repo, source.name);
  return runRestore(host, source.name, opts, sink, async (run) => installStaged(run, await extractSnapshot(run, source.repo, snap)));
}
