import os from 'node:os';
import { ulid } from 'ulid';
import type { SqliteDb } from '../db/sqlite.js';
import { canceled, FoxError, isFoxError, toFoxError } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import type { JobContext, JobInfo, JobListener, JobProgress, JobState } from './types.js';
import { onceMoreAfterIoError } from '../db/sqlite-holders.js';

/** How a job is started. */
export interface StartJobOptions {
  kind: string;
  title: string;
  unit?: string;
  /** A caller's signal: aborting it cancels the job too. */
  signal?: AbortSignal | undefined;
  /** The client's own name for it (JobInfo.client_ref). */
  clientRef?: string | undefined;
}

/** A started job: its id, a promise of its result, and cancel. */
export interface JobHandle<T> {
  id: string;
  /** Resolves with the result, or rejects with the job's FoxError (CANCELED when canceled). */
  done: Promise<T>;
  cancel(reason?: string): void;
}

interface Running {
  info: JobInfo;
  controller: AbortController;
  lastPublish: number;
  lastPersist: number;
  /** Samples (time, done) over the last few seconds, for the rate. */
  samples: { t: number; done: number }[];
  /** A publish scheduled for the end of the throttle window, so the last update is never lost. */
  trailing: ReturnType<typeof setTimeout> | null;
}

const PUBLISH_EVERY_MS = 100;
const PERSIST_EVERY_MS = 1000;
const RATE_WINDOW_MS = 5000;

/**
 * Runs long work as jobs: progress with rate and ETA, cancel through an AbortSignal, states
 * recorded in jobs.db (`studio_jobs`), and every change published to subscribers.
 * `getDb` is called lazily so that a CLI command that starts no job never opens jobs.db.
 */
export class JobManager {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<JobListener>();

  constructor(
    private readonly getDb: () => SqliteDb,
    /** Replaces the jobs.db connection after a SQLite I/O error (the statement then runs once more). */
    private readonly reopen?: () => void,
  ) {}

  /** Runs `fn` on jobs.db, once more on a fresh connection after an I/O error. */
  private withDb<T>(fn: (db: SqliteDb) => T): T {
    return onceMoreAfterIoError(() => fn(this.getDb()), this.reopen, 'jobs.db');
  }

  /** Starts `body` as a job and returns at once. */
  start<T>(opts: StartJobOptions, body: (ctx: JobContext) => Promise<T>): JobHandle<T> {
    const id = ulid();
    const controller = new AbortController();
    const info: JobInfo = {
      id,
      kind: opts.kind,
      title: opts.title,
      state: 'queued',
      progress: { done: 0, total: null, unit: opts.unit ?? 'items', rate: null, eta: null },
      created_at: nowRfc3339(),
      started_at: null,
      finished_at: null,
      result: null,
      error: null,
      ...(opts.clientRef ? { client_ref: opts.clientRef } : {}),
    };
    const run: Running = { info, controller, lastPublish: 0, lastPersist: 0, samples: [], trailing: null };
    this.running.set(id, run);
    const onOuterAbort = (): void => controller.abort(opts.signal?.reason);
    if (opts.signal?.aborted) controller.abort(opts.signal.reason);
    else opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    this.persist(info, true);
    this.publish(info);

    const ctx: JobContext = {
      id,
      signal: controller.signal,
      progress: (done, total, message) => this.onProgress(run, done, total, message),
      setUnit: (unit) => {
        info.progress.unit = unit;
      },
    };

    const done = (async (): Promise<T> => {
      await Promise.resolve();
      info.state = 'running';
      info.started_at = nowRfc3339();
      this.persist(info, true);
      this.publish(info);
      try {
        if (controller.signal.aborted) throw canceled(controller.signal, info.title);
        // A body that returned has finished its work: a cancel that arrived after its last safe
        // boundary does not undo it (a completed restore must not be reported as canceled).
        const result = await body(ctx);
        info.state = 'ok';
        info.result = result ?? null;
        if (info.progress.total !== null) info.progress.done = info.progress.total;
        info.progress.eta = 0;
        return result;
      } catch (err) {
        const fe = controller.signal.aborted && !isFoxError(err, 'CORRUPT') ? canceled(controller.signal, info.title) : toFoxError(err);
        info.state = fe.code === 'CANCELED' ? 'canceled' : 'error';
        info.error = { code: fe.code, message: fe.message };
        throw fe;
      } finally {
        opts.signal?.removeEventListener('abort', onOuterAbort);
        if (run.trailing) clearTimeout(run.trailing);
        info.finished_at = nowRfc3339();
        this.running.delete(id);
        this.persist(info, true);
        this.publish(info);
      }
    })();
    // The caller may never await `done`; the failure is recorded in the job, not unhandled.
    done.catch(() => undefined);
    return {
      id,
      done,
      cancel: (reason?: string) => controller.abort(new FoxError('CANCELED', reason ?? `${info.title} was canceled`)),
    };
  }

  /** Cancels a running job by id; false when no such job is running. */
  cancel(id: string, reason?: string): boolean {
    const run = this.running.get(id);
    if (!run) return false;
    run.controller.abort(new FoxError('CANCELED', reason ?? `${run.info.title} was canceled`));
    return true;
  }

  /** A job by id: the live one if running, else its record in jobs.db. */
  get(id: string): JobInfo {
    const live = this.running.get(id);
    if (live) return structuredClone(live.info);
    const row = this.withDb((db) => db.prepare('SELECT * FROM studio_jobs WHERE id = ?').get(id)) as JobRow | undefined;
    if (!row) throw new FoxError('NOT_FOUND', `no job with id ${id}`);
    return fromRow(row);
  }

  /** Jobs newest first: running ones live, the rest from jobs.db. */
  list(opts: { limit?: number; state?: JobState } = {}): JobInfo[] {
    const limit = opts.limit ?? 50;
    const rows = this.withDb((db) =>
      opts.state
        ? db.prepare('SELECT * FROM studio_jobs WHERE state = ? ORDER BY created_at DESC LIMIT ?').all(opts.state, limit)
        : db.prepare('SELECT * FROM studio_jobs ORDER BY created_at DESC LIMIT ?').all(limit),
    ) as JobRow[];
    return rows.map((r) => (this.running.has(r.id) ? structuredClone(this.running.get(r.id)!.info) : fromRow(r)));
  }

  /** The jobs running in this process. */
  active(): JobInfo[] {
    return [...this.running.values()].map((r) => structuredClone(r.info));
  }

  /** Subscribes to every job change; returns the unsubscribe function. */
  subscribe(listener: JobListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Marks jobs left `queued`/`running` by a process that died as `error`, so the list never
   * shows a dead job as running forever. Call once at engine start.
   */
  recoverInterrupted(): number {
    const stale = (this.getDb().prepare("SELECT id, pid, host FROM studio_jobs WHERE state IN ('queued', 'running')").all() as {
      id: string;
      pid: number | null;
      host: string | null;
    }[]).filter((r) => !this.running.has(r.id) && (r.pid === null || (r.host === os.hostname() && !processAlive(r.pid))));
    const update = this.getDb().prepare("UPDATE studio_jobs SET state = 'error', finished_at = ?, error = ? WHERE id = ?");
    const error = JSON.stringify({ code: 'UNAVAILABLE', message: 'the process running this job ended before it finished' });
    for (const r of stale) update.run(nowRfc3339(), error, r.id);
    return stale.length;
  }

  /** Cancels every running job and waits for them to settle. */
  async shutdown(): Promise<void> {
    for (const run of this.running.values()) run.controller.abort(new FoxError('CANCELED', 'the engine is closing'));
    const deadline = Date.now() + 10_000;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  }

  private onProgress(run: Running, done: number, total: number | null | undefined, message?: string): void {
    const p: JobProgress = run.info.progress;
    const now = Date.now();
    p.done = done;
    if (total !== undefined) p.total = total;
    if (message !== undefined) p.message = message;
    run.samples.push({ t: now, done });
    while (run.samples.length > 2 && now - run.samples[0]!.t > RATE_WINDOW_MS) run.samples.shift();
    const first = run.samples[0]!;
    const dt = (now - first.t) / 1000;
    if (dt > 0.2) {
      p.rate = (done - first.done) / dt;
      p.eta = p.total !== null && p.rate > 0 ? Math.max(0, (p.total - done) / p.rate) : null;
    }
    if (now - run.lastPublish >= PUBLISH_EVERY_MS) {
      if (run.trailing) clearTimeout(run.trailing);
      run.trailing = null;
      run.lastPublish = now;
      this.publish(run.info);
    } else if (!run.trailing) {
      // A job that pauses after a burst (a slow upload, a long step) must not show stale progress.
      run.trailing = setTimeout(() => {
        run.trailing = null;
        if (!this.running.has(run.info.id)) return;
        run.lastPublish = Date.now();
        this.publish(run.info);
      }, PUBLISH_EVERY_MS - (now - run.lastPublish));
      run.trailing.unref?.();
    }
    if (now - run.lastPersist >= PERSIST_EVERY_MS) {
      run.lastPersist = now;
      this.persist(run.info, false);
    }
  }

  private publish(info: JobInfo): void {
    const copy = structuredClone(info);
    for (const l of this.listeners) {
      try {
        l(copy);
      } catch {
        // A failing subscriber must not fail the job; it is the subscriber's to report.
      }
    }
  }

  private persist(info: JobInfo, required: boolean): void {
    const row = {
      id: info.id,
      kind: info.kind,
      title: info.title,
      state: info.state,
      progress: JSON.stringify(info.progress),
      result: info.result === null ? null : JSON.stringify(info.result),
      error: info.error === null ? null : JSON.stringify(info.error),
      created_at: info.created_at,
      started_at: info.started_at,
      finished_at: info.finished_at,
      pid: process.pid,
      host: os.hostname(),
    };
    try {
      this.withDb((db) =>
        db
          .prepare(
            `INSERT INTO studio_jobs (id, kind, title, state, progress, result, error, created_at, started_at, finished_at, pid, host)
             VALUES (@id, @kind, @title, @state, @progress, @result, @error, @created_at, @started_at, @finished_at, @pid, @host)
             ON CONFLICT (id) DO UPDATE SET state = excluded.state, progress = excluded.progress, result = excluded.result,
               error = excluded.error, started_at = excluded.started_at, finished_at = excluded.finished_at`,
          )
          .run(row),
      );
    } catch (err) {
      // Progress updates are best effort (jobs.db busy); state changes are not.
      if (required) throw toFoxError(err, 'jobs.db');
    }
  }
}

/** Whether a process with this pid exists on this machine. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface JobRow {
  id: string;
  kind: string;
  title: string;
  state: JobState;
  progress: string;
  result: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
}

function fromRow(r: JobRow): JobInfo {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    state: r.state,
    progress: JSON.parse(r.progress) as JobProgress,
    created_at: r.created_at,
    started_at: r.started_at,
    finished_at: r.finished_at,
    result: r.result === null ? null : (JSON.parse(r.result) as unknown),
    error: r.error === null ? null : (JSON.parse(r.error) as JobInfo['error']),
  };
}
