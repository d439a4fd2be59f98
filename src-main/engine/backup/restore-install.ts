// The install phase of a restore, shared by archives and snapshots: from checked temp files
// next to their destinations to the home, with the dry run, the in-use refusal, the safety
// backup and the install through SQLite.
import fs from 'node:fs';
import path from 'node:path';
import { FoxError, throwIfAborted, toFoxError } from '../errors.js';
import { describeHolders, otherLockHolders } from '../db/lock-holders.js';
import { createFromPlan } from './create.js';
import { fsyncDir } from './fs-util.js';
import { archiveFileName, defaultName } from './names.js';
import { checkRestoredDatabase, inUseBy, removeSideFiles, writeThroughSqlite } from './restore-db.js';
import type { RestoreRun } from './restore-run.js';
import { restoreRemoteStore } from './restore-remote.js';
import type { Source } from './sources.js';
import type { DbDriverName } from '../db/connections.js';
import type { RestoreFile, RestoreResult } from './types.js';

/** What an extract phase hands the install phase. */
export interface StagedRestore {
  /** The final plan; every file not skipped has its checked temp in `run.temps` (none in a dry run). */
  plan: RestoreFile[];
  /** The progress total the install steps report at (archive bytes read, or snapshot bytes). */
  total: number;
  /** Entry paths of databases the extract phase already checked (header and quick_check) in their temps. */
  checked?: ReadonlySet<string>;
}

/** The live files a restore will replace, as a source plan for the automatic safety backup. */
function safetySources(files: RestoreFile[]): Source[] {
  return files
    .filter((f) => f.action === 'would-replace')
    .map((f): Source => {
      // A store on a server is copied through its driver, as a backup takes it.
      if (f.through) return { kind: 'sqlite', src: `${f.through} store ${f.store}`, entryPath: f.path, component: f.component, store: f.store!, size: 0, mtime: new Date(), remote: { driver: f.through as DbDriverName } };
      const st = fs.statSync(f.destination);
      const isDb = f.destination.endsWith('.db');
      return { kind: isDb ? 'sqlite' : 'file', src: f.destination, entryPath: f.path, component: f.component, ...(f.store ? { store: f.store } : {}), size: st.size, mtime: st.mtime };
    });
}

/** The error for a live database another process has open. */
function inUseError(f: RestoreFile, by: string): FoxError {
  const who = f.store ?? f.path;
  return new FoxError(
    'CONFLICT',
    `${who} is in use by another process (${by} has ${f.destination} open); stop it or pass --force-in-use (that process then goes on with the restored data); nothing was restored`,
    { subject: f.store ? `store ${f.store}` : f.destination },
  );
}

const isDb = (f: RestoreFile): boolean => f.destination.endsWith('.db');

/**
 * Installs what the extract phase staged. A dry run only reports (and who has a live database
 * open, as far as that is visible without touching the file). Otherwise every staged database is
 * checked in its temp (header and quick_check, unless the caller checks); a live database another
 * process has open is refused (CONFLICT) unless `forceInUse`; the live files to be replaced go
 * into an automatic safety backup; the engine's own connections are closed; an existing
 * database is written over through SQLite's backup API, anything else renamed into place.
 */
export async function installStaged(run: RestoreRun, staged: StagedRestore): Promise<RestoreResult> {
  const { host, opts, sink, name, target, temps } = run;
  const { plan, total } = staged;
  const config = host.config;
  const result: RestoreResult = { name, dry_run: opts.dryRun === true, target: target ?? null, files: plan, created: 0, replaced: 0, skipped: 0, bytes: 0, safety_backup: null, closed_connections: [] };
  const liveDbs = plan.filter((f) => f.action === 'would-replace' && isDb(f) && !f.through && run.isLive(f.destination));
  if (opts.dryRun) {
    // Only what can be seen without touching the file (no exclusive-lock probe in a dry run).
    for (const f of liveDbs) {
      const holders = otherLockHolders(f.destination);
      if (holders && holders.length > 0) f.in_use = describeHolders(holders);
    }
    result.skipped = plan.filter((f) => f.action === 'would-skip').length;
    result.bytes = plan.filter((f) => f.action !== 'would-skip').reduce((a, f) => a + f.size, 0);
    return result;
  }
  throwIfAborted(sink.signal, 'backup restore');
  // A destination that appeared or vanished between the extract and now: refuse before any change.
  const unextracted = plan.find((f) => f.action !== 'would-skip' && !temps.has(f.path));
  if (unextracted) throw new FoxError('CONFLICT', `${unextracted.destination} changed while the restore ran; nothing was restored, run it again`, { subject: unextracted.destination });
  if (opts.checkDatabases !== false) {
    for (const f of plan) {
      if (f.action === 'would-skip' || !isDb(f) || staged.checked?.has(f.path)) continue;
      throwIfAborted(sink.signal, 'backup restore');
      sink.progress?.(total, total, `quick_check ${f.path}`);
      checkRestoredDatabase(temps.get(f.path)!, f.path);
    }
  }
  const refuseInUse = (): void => {
    for (const f of liveDbs) {
      // Our own connections first: SQLite counts the locks of one process together.
      if (host.closeFile(f.destination) && !result.closed_connections.includes(f.destination)) result.closed_connections.push(f.destination);
      const by = opts.forceInUse ? null : inUseBy(f.destination, f.store ? `store ${f.store}` : f.destination);
      if (by !== null) throw inUseError(f, by);
    }
  };
  refuseInUse();
  const replacing = safetySources(plan.filter((f) => run.isLive(f.destination)));
  if (replacing.length > 0) {
    let safetyName = `pre-restore-${defaultName()}`;
    for (let i = 2; fs.existsSync(path.join(config.backupsDir, archiveFileName(safetyName))); i++) safetyName = `pre-restore-${defaultName()}_${i}`;
    sink.progress?.(total, total, `safety backup ${safetyName}`);
    const components = [...new Set(replacing.map((s) => s.component))];
    const safety = await createFromPlan(config, { components, sources: replacing, skipped: [], warnings: [] }, safetyName, path.join(config.backupsDir, archiveFileName(safetyName)), { signal: sink.signal });
    result.safety_backup = { name: safety.name, path: safety.path };
  }
  throwIfAborted(sink.signal, 'backup restore');
  // Again, right before the first change: a process may have opened a store meanwhile.
  refuseInUse();
  // Past this point the restore runs to the end: a cancel now would leave a half-restored home.
  const dirs = new Set<string>();
  for (const f of plan) {
    if (f.action === 'would-skip') {
      f.action = 'skipped';
      result.skipped++;
      continue;
    }
    const tmp = temps.get(f.path)!;
    if (host.closeFile(f.destination) && !result.closed_connections.includes(f.destination)) result.closed_connections.push(f.destination);
    const replaced = f.action === 'would-replace';
    run.changed = true;
    if (f.through && f.store) {
      // Each table is the backup's or still its own (one server transaction per table); the safety backup holds the rest.
      sink.progress?.(total, total, `writing store ${f.store} back to ${f.through}`);
      await restoreRemoteStore(config, f.store, tmp);
      fs.rmSync(tmp, { force: true });
      temps.delete(f.path);
      f.action = 'replaced';
      result.replaced++;
      result.bytes += f.size;
      continue;
    }
    const written = replaced && isDb(f) && (await writeThroughSqlite(tmp, f.destination, f.store ? `store ${f.store}` : f.destination));
    if (written) {
      fs.rmSync(tmp, { force: true });
    } else {
      if (isDb(f)) removeSideFiles(f.destination);
      try {
        fs.renameSync(tmp, f.destination);
      } catch (err) {
        throw toFoxError(err, f.destination);
      }
    }
    temps.delete(f.path);
    dirs.add(path.dirname(f.destination));
    f.action = replaced ? 'replaced' : 'created';
    if (replaced) result.replaced++;
    else result.created++;
    result.bytes += f.size;
  }
  for (const d of dirs) fsyncDir(d);
  return result;
}
