import fs from 'node:fs';
import path from 'node:path';
import { FoxError } from '../../errors.js';
import { writeArchive, type ArchiveItem } from '../archive-writer.js';
import { WRITER_VERSION, type ProgressSink } from '../create.js';
import { makeStagingDir } from '../fs-util.js';
import { MANIFEST_VERSION } from '../manifest.js';
import type { BackupProblem, Component, Manifest } from '../types.js';
import { BlobReader } from './blob-reader.js';
import { writeStoredFile } from './file-blobs.js';
import { loadIndex } from './index-file.js';
import type { RepoPaths } from './layout.js';
import { readSnapshot } from './snapshot-file.js';

/**
 * Writes a snapshot as one archive in the Go foxctl's format (`backup_<name>.tar.gz`, manifest.json
 * last), so the Go tool can read it: each file is re-assembled (every blob re-hashed, the whole
 * file checked against its SHA-256) into a staging directory just ahead of the archive writer,
 * and removed once archived. `out` must not exist.
 */
export async function exportSnapshot(paths: RepoPaths, name: string, out: string, sink: ProgressSink = {}): Promise<{ manifest: Manifest; compressedSize: number }> {
  if (fs.existsSync(out)) throw new FoxError('CONFLICT', `${out} already exists; an export never overwrites a file`, { subject: out });
  const snap = await readSnapshot(paths, name);
  const reader = new BlobReader(paths, await loadIndex(paths));
  const staging = makeStagingDir(path.dirname(out), 'staging');
  const total = snap.stats.bytes;
  let chain: Promise<unknown> = Promise.resolve();
  try {
    const items: ArchiveItem[] = snap.files.map((f, i): ArchiveItem => {
      const staged = path.join(staging, String(i));
      // One file at a time, in archive order: the staging directory holds about one file.
      const ready = chain.then(async () => {
        await writeStoredFile(reader, f, staged, sink.signal ? { signal: sink.signal } : {});
        return true;
      });
      ready.catch(() => undefined);
      chain = ready;
      return { read: staged, entryPath: f.path, originalPath: f.path, mtime: new Date(f.mtime), component: f.component as Component, ...(f.store ? { store: f.store } : {}), mayVanish: false, ready };
    });
    const result = await writeArchive({
      out,
      items,
      ...(sink.signal ? { signal: sink.signal } : {}),
      onBytes: (bytes, entry) => sink.progress?.(bytes, total, entry),
      manifest: (files, compressedSoFar): Manifest => ({
        version: MANIFEST_VERSION,
        created_at: snap.created_at,
        agentctl_version: WRITER_VERSION,
        components: snap.components as Component[],
        files,
        stats: { total_files: files.length, total_size: files.reduce((a, f) => a + f.size, 0), compressed_size: compressedSoFar, database_count: files.filter((f) => f.path.endsWith('.db')).length },
        status: snap.status === 'ok' ? 'ok' : 'completed_with_problems',
        problems: snap.problems.map((p) => ({ ...p, path: p.path ?? '' }) as BackupProblem),
      }),
    });
    return { manifest: result.manifest, compressedSize: result.compressedSize };
  } finally {
    await chain.catch(() => undefined);
    await reader.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
