import { MANIFEST_VERSION } from '../manifest.js';
import type { BackupProblem, Component, Manifest, ManifestFile } from '../types.js';
import type { Snapshot } from './snapshot-file.js';

/**
 * A snapshot in the shape of an archive's manifest, so that restore planning, rehearse and browse
 * read both formats through one code path (paths are checked by planRestore as for archives).
 */
export function snapshotAsManifest(snap: Snapshot): Manifest {
  const files = snap.files.map(
    (f): ManifestFile => ({
      path: f.path,
      original_path: f.path,
      size: f.size,
      mod_time: f.mtime,
      checksum: f.sha256,
      component: f.component as Component,
      ...(f.store !== null ? { store: f.store } : {}),
    }),
  );
  return {
    version: MANIFEST_VERSION,
    created_at: snap.created_at,
    components: snap.components as Component[],
    files,
    stats: { total_files: files.length, total_size: snap.stats.bytes, compressed_size: snap.stats.new_stored_bytes, database_count: snap.files.filter((f) => f.kind === 'sqlite').length },
    // A snapshot always records who wrote it: never read as a Go archive (checksum "" rules).
    skipped_stores: [],
    status: snap.status === 'ok' ? 'ok' : 'completed_with_problems',
    problems: snap.problems.map((p) => ({ ...p, path: p.path ?? '' }) as BackupProblem),
  };
}
