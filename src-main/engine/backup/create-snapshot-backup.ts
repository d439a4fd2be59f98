import type { FoxConfig } from '../config/resolve.js';
import type { CheckOptions, ProgressSink } from './create.js';
import { createSnapshotFromPlan } from './repo/create-snapshot.js';
import { repoPaths } from './repo/layout.js';
import { snapshotPath } from './repo/snapshot-file.js';
import { snapshotProblems } from './snapshot-catalog.js';
import { snapshotRepoRoot } from './resolve-backup.js';
import type { SourcePlan } from './sources.js';
import type { Component, CreateBackupResult } from './types.js';

/**
 * `backup create --format snapshot`: the plan goes into the home's snapshot repository (created
 * on first use) with the checks of an archive, and the result reads like an archive's, plus what
 * the snapshot added (new compressed bytes) against what it references.
 */
export async function createSnapshotBackup(config: FoxConfig, plan: SourcePlan, name: string, sink: ProgressSink, checks: CheckOptions): Promise<CreateBackupResult> {
  const started = Date.now();
  const root = snapshotRepoRoot(config);
  const snap = await createSnapshotFromPlan(config, plan, name, root, sink, checks);
  const problems = snapshotProblems(snap);
  return {
    name,
    format: 'snapshot',
    path: snapshotPath(repoPaths(root), name),
    added_bytes: snap.stats.new_stored_bytes,
    referenced_bytes: snap.stats.bytes,
    created_at: snap.created_at,
    components: snap.components as Component[],
    files: snap.files.length,
    total_size: snap.stats.bytes,
    compressed_size: snap.stats.new_stored_bytes,
    database_count: snap.files.filter((f) => f.kind === 'sqlite').length,
    stores: [...new Set(snap.files.map((f) => f.store).filter((s): s is string => s !== null))],
    skipped_stores: plan.skipped,
    warnings: [...plan.warnings],
    status: snap.status === 'ok' ? 'ok' : 'completed_with_problems',
    problems,
    check: checks.check ?? 'quick',
    duration_ms: Date.now() - started,
    snapshot_stats: snap.stats,
  };
}
