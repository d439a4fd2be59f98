// One database of a backup as a file of its own, checked, for read-only browsing: what browse
// reads instead of restoring anything.
import fs from 'node:fs';
import { FoxError, isFoxError, type OpOptions } from '../errors.js';
import { assertScanUsable, scanArchive } from './archive-reader.js';
import type { BackupSource } from './backup-source.js';
import { fileSink } from './file-sink.js';
import { BlobReader } from './repo/blob-reader.js';
import { writeStoredFile } from './repo/file-blobs.js';
import { loadIndex } from './repo/index-file.js';
import { readSnapshot } from './repo/snapshot-file.js';
import { checkRestoredDatabase } from './restore-db.js';
import { compareWithManifest } from './verify.js';

/** A CORRUPT error of browse (the restore wording "nothing was restored" does not apply). */
function browseError(err: unknown, name: string, entry: string): unknown {
  if (!isFoxError(err, 'CORRUPT') && !isFoxError(err, 'NOT_FOUND')) return err;
  const text = err.message.replace(/; nothing was restored.*$/, '');
  return new FoxError('CORRUPT', `backup ${name}: ${text.startsWith(entry) ? '' : `${entry}: `}${text}; it cannot be browsed (run "foxctl backup verify ${name}")`, { subject: entry, cause: err });
}

/**
 * Writes the database `entry` of a backup to `dest` (a new file) and checks it: an archive entry
 * is hashed against the manifest (one pass over the archive, only that entry kept), a snapshot
 * file re-assembled with every blob and the whole file re-hashed; then a SQLite header check and
 * `PRAGMA quick_check`, leaving it in rollback-journal mode so a read-only connection needs no
 * -wal. CORRUPT names the backup and the entry; `dest` is removed on any failure.
 */
export async function materializeEntry(source: BackupSource, entry: string, dest: string, opts: OpOptions = {}): Promise<void> {
  try {
    if (source.kind === 'snapshot') {
      const snap = await readSnapshot(source.repo, source.name);
      const f = snap.files.find((x) => x.path === entry);
      if (!f) throw new FoxError('NOT_FOUND', `snapshot ${source.name} holds no file ${entry}`, { subject: entry });
      const reader = new BlobReader(source.repo, await loadIndex(source.repo));
      try {
        await writeStoredFile(reader, f, dest, opts);
      } finally {
        await reader.close();
      }
    } else {
      const scan = await scanArchive(source.path, { signal: opts.signal, sinkFor: async (p) => (p === entry ? fileSink(dest, { sync: false }) : undefined) });
      const manifest = assertScanUsable(scan, source.path);
      if (!manifest.files.some((f) => f.path === entry)) throw new FoxError('NOT_FOUND', `backup ${source.name} holds no file ${entry}`, { subject: entry });
      const bad = compareWithManifest(scan, manifest).find((c) => c.path === entry && c.status !== 'ok');
      if (bad) throw new FoxError('CORRUPT', `${entry}: ${bad.status.replace('_', ' ')}: ${bad.detail ?? ''}`, { subject: entry });
      if (!fs.existsSync(dest)) throw new FoxError('CORRUPT', `${entry} is listed in the manifest but is not in the archive`, { subject: entry });
    }
    checkRestoredDatabase(dest, entry);
  } catch (err) {
    fs.rmSync(dest, { force: true });
    throw browseError(err, source.name, entry);
  }
}
