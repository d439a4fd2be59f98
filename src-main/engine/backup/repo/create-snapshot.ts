import fs from 'node:fs';
import fsp from 'node:fs/promises';
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
  // Both workers start on first use: a backup of unchanged stores starts no thread. Checks run on
  // the second, so a staged copy is checked while the next store is being snapshotted.
  let snapshotter: SnapshotWorker | undefined;
  const worker = (): SnapshotWorker => (snapshotter ??= new SnapshotWorker());
  let checker: SnapshotWorker | undefined;
  const checkWorker = (): SnapshotWorker => (checker ??= new SnapshotWorker());
  const problems: BackupProblem[] = [...(plan.problems ?? [])];
  const checks: Promise<void>[] = [];
  const removals: Promise<void>[] = [];
  const releases: (() => void)[] = [];
  try {
    const previous = await latestSnapshot(repo.paths);
    const before = new Map((previous?.files ?? []).map((f) => [f.path, f]));
    const stage = (s: SourcePlan['sources'][number], i: number): Pick<SnapshotSource, 'read' | 'ready' | 'release'> => {
      const staged = path.join(staging, `${i}.db`);
      const { ready, checked } = stageSnapshot(config, worker(), s, staged, mode, problems, opts, undefined, checkWorker);
      checks.push(checked);
      // Removed as soon as it is stored and checked (unlinking 100 MB takes a while), not at the end.
      let release = (): void => undefined;
      const released = new Promise<void>((resolve) => (release = resolve));
      releases.push(release);
      removals.push(Promise.all([released, checked.catch(() => undefined)]).then(() => fsp.rm(staged, { force: true })).catch(() => undefined));
      return { read: staged, ready, release };
    };
    // Decided before the lock and the index are taken, so the worker snapshots the changed stores
    // while this thread loads the index: a file whose identity is unchanged (and not racily clean)
    // may be named again unread, the others are snapshotted now.
    const planned = plan.sources.map((s, i) => {
      const common = { path: s.entryPath, component: s.component, store: s.store ?? null, kind: s.kind };
      // A store on a server has no file to stat: it is copied again every time.
      const sourceId = s.remote ? undefined : sourceIdentity(s.src, s.kind);
      const withId = sourceId !== undefined ? { sourceId } : {};
      const prev = before.get(s.entryPath);
      if (sourceId !== undefined && prev?.source_id !== undefined && sameFile(prev.source_id, sourceId) && !racilyClean(prev, s.src)) return { s, i, common, withId, prev };
      if (s.kind !== 'sqlite') return { s, i, common, withId, read: { read: s.src, mayVanish: true } };
      return { s, i, common, withId, read: stage(s, i) };
    });
    const sourcesOf = async (ctx: SourceContext): Promise<SnapshotSource[]> =>
      planned.map(({ s, i, common, withId, prev, read }): SnapshotSource => {
        if (read) return { ...common, ...withId, ...read };
        if (prev && prev.content.every((id) => ctx.has(id))) {
          // Unchanged since the last snapshot read it: named again unread, its problems carried over.
          for (const p of previous!.problems) if (p.path === s.entryPath) problems.push({ ...(p as BackupProblem) });
          return { ...common, ...withId, read: s.src, reuse: prev };
        }
        // Unchanged, but its blobs are gone from the index (a prune since): read it after all.
        if (s.kind !== 'sqlite') return { ...common, ...withId, read: s.src, mayVanish: true };
        return { ...common, ...withId, ...stage(s, i) };
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
    await snapshotter?.close();
    await checker?.close();
    // A source the writer never reached (it failed first) is released here, so none waits forever.
    for (const release of releases) release();
    await Promise.all(removals);
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
