import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../../config/resolve.js';
import { FoxError, throwIfAborted } from '../../errors.js';
import type { CheckOptions, ProgressSink } from '../create.js';
import { stageSnapshot, WRITER_VERSION } from '../create.js';
import { makeStagingDir } from '../fs-util.js';
import { casFileProblems, sortProblems, strictError } from '../problems.js';
import { SnapshotWorker } from '../snapshot.js';
import type { SourcePlan } from '../sources.js';
import type { BackupProblem, CheckMode, ManifestFile } from '../types.js';
import { openRepo } from './layout.js';
import { latestSnapshot, type Snapshot, type SnapshotEntry } from './snapshot-file.js';
import { racilyClean, sameFile, sourceIdentity } from './source-identity.js';
import { writeSnapshotOf, type SnapshotSource, type SourceContext } from './write-snapshot.js';

/** Snapshot entries in the shape the archive checks read (CAS blobs are checked against their names). */
function asManifestFiles(files: SnapshotEntry[]): ManifestFile[] {
  return files.map((f) => ({ path: f.path, original_path: f.path, size: f.size, mod_time: f.mtime, checksum: f.sha256, component: f.component as ManifestFile['component'] }));
}

/**
 * Writes a snapshot of a source plan into the repository at `repoRoot` (created on first use):
 * the same consistency and checks as an archive (databases snapshotted through the backup API
 * back to back on a worker thread, each staged copy checked, CAS blobs re-hashed), but only the
 * pages and chunks the repository lacks are stored. Problems make it a snapshot "with problems",
 * or with `strict` publish nothing. The staging directory is removed however it ends.
 */
export async function createSnapshotFromPlan(config: FoxConfig, plan: SourcePlan, name: string, repoRoot: string, sink: ProgressSink, opts: CheckOptions = {}): Promise<Snapshot> {
  const signal = sink.signal;
  const mode: CheckMode = opts.check ?? 'quick';
  throwIfAborted(signal, 'backup create');
  if (plan.sources.length === 0) throw new FoxError('INVALID_INPUT', `nothing to back up: the components ${plan.components.join(', ')} hold no files under ${config.home}`);
  const repo = await openRepo(repoRoot, { create: true });
  const total = plan.sources.reduce((a, s) => a + s.size, 0);
  let done = 0;
  sink.progress?.(0, total, 'snapshotting databases');
  const staging = makeStagingDir(path.dirname(repoRoot), 'staging');
  const worker = new SnapshotWorker();
  const problems: BackupProblem[] = [...(plan.problems ?? [])];
  const checks: Promise<void>[] = [];
  try {
    const previous = await latestSnapshot(repo.paths);
    const sourcesOf = async (ctx: SourceContext): Promise<SnapshotSource[]> =>
      plan.sources.map((s, i): SnapshotSource => {
        const common = { path: s.entryPath, component: s.component, store: s.store ?? null, kind: s.kind };
        // A store on a server has no file to stat: it is copied again every time.
        const sourceId = s.remote ? undefined : sourceIdentity(s.src, s.kind);
        const before = previous?.files.find((f) => f.path === s.entryPath);
        if (sourceId !== undefined && before?.source_id !== undefined && sameFile(before.source_id, sourceId) && !racilyClean(before, s.src) && before.content.every((id) => ctx.has(id))) {
          // Unchanged since the last snapshot read it: named again unread, its problems carried over.
          for (const p of previous!.problems) if (p.path === s.entryPath) problems.push({ ...(p as BackupProblem) });
          return { ...common, read: s.src, reuse: before, sourceId };
        }
        const withId = sourceId !== undefined ? { sourceId } : {};
        if (s.kind !== 'sqlite') return { ...common, ...withId, read: s.src, mayVanish: true };
        const staged = path.join(staging, `${i}.db`);
        const { ready, checked } = stageSnapshot(config, worker, s, staged, mode, problems, opts);
        checks.push(checked);
        return { ...common, ...withId, read: staged, ready };
      });
    return await writeSnapshotOf(
      repo,
      sourcesOf,
      { name, tool: { name: 'foxctl-storage-studio', version: WRITER_VERSION.split(' ')[1] ?? '' }, home: config.home, status: 'ok', problems: [], components: plan.components, skipped_stores: plan.skipped, check: mode },
      {
        ...(signal ? { signal } : {}),
        onBytes: (n) => sink.progress?.((done += n), total),
        finalize: async (files) => {
          sink.progress?.(total, total, `checking snapshots (${mode === 'full' ? 'integrity_check' : 'quick_check'})`);
          await Promise.all(checks);
          const sorted = sortProblems([...problems, ...casFileProblems(asManifestFiles(files))]);
          if (opts.strict && sorted.length > 0) throw strictError(name, sorted);
          return { status: sorted.length > 0 ? 'problems' : 'ok', problems: sorted.map((p) => ({ ...p })) };
        },
      },
    );
  } finally {
    await worker.close();
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
