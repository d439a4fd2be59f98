// The nightly backup while Storage Studio runs: settings in config.yaml (backup.schedule.*), a
// timer in the process that hosts the engine (Electron main or `foxctl studio`), a backup job at
// the time of day, then retention of the scheduled backups only.
import type { Engine } from '../engine/engine.js';
import { FoxError, toFoxError } from '../engine/errors.js';
import { isScheduledName, nextRunAt, parseTimeOfDay, formatTimeOfDay, scheduledBackupName, scheduledNameTime, SCHEDULED_PREFIX, type ScheduleZone } from './schedule-time.js';
import { editConfig } from '../engine/config/edit.js';
import { planRetention } from '../engine/backup/retention.js';

/** What a user sets. */
export interface ScheduleSettings {
  enabled: boolean;
  /** HH:MM on the schedule's clock. */
  time: string;
  zone: ScheduleZone;
  /** Scheduled backups kept; older scheduled ones are deleted after each run. */
  keep: number;
  /** Push each nightly backup to the backup bucket after it is taken. */
  push: boolean;
}

/** How the push after a scheduled backup went (null when pushing is off or the backup failed). */
export interface SchedulePush {
  state: 'ok' | 'error';
  remote: string | null;
  /** Bytes sent (for a snapshot: only the packs the bucket lacked). */
  bytes: number;
  error: { code: string; message: string } | null;
}

/** The outcome of one scheduled run (`completed_with_problems`: the archive was written, but a check named problems). */
export interface ScheduleRun {
  at: string;
  state: 'ok' | 'completed_with_problems' | 'error' | 'canceled' | 'running';
  backup: string | null;
  job_id: string | null;
  error: { code: string; message: string } | null;
  /** Scheduled backups deleted by retention after this run. */
  pruned: string[];
  push: SchedulePush | null;
  /** The run made up for a night missed while no Storage Studio ran. */
  caught_up: boolean;
}

/** The schedule as the Backups view shows it. */
export interface ScheduleStatus extends ScheduleSettings {
  next_run: string | null;
  last_run: ScheduleRun | null;
  /** Settings an environment variable decides: saving them in config.yaml does not change them. */
  env_overrides: { key: string; variable: string }[];
  config_file: string;
  /** Why no run is planned although enabled (an invalid time in config.yaml), or null. */
  problem: string | null;
  /** What the schedule does each night, as commands, and how to set it without the GUI. */
  cli: string;
}

/** The config keys of the schedule, by setting. */
export const SCHEDULE_KEYS = { enabled: 'backup.schedule.enabled', time: 'backup.schedule.time', zone: 'backup.schedule.zone', keep: 'backup.schedule.keep', push: 'backup.schedule.push' } as const;

/** How the scheduler reads the time and waits (tests inject a clock and call tick themselves). */
export interface SchedulerOptions {
  now?: () => Date;
  /** How often the timer checks whether a run is due (default 30 s; sleep and clock changes are caught at the next check). */
  checkEveryMs?: number;
  /** Writes settings into the config file (default: config.yaml through the engine's config editor). */
  save?: (file: string, values: Record<string, string | number | boolean>) => Promise<void>;
}

/** Runs the nightly backup of one engine. */
export class BackupScheduler {
  private settings: ScheduleSettings;
  private next: Date | null = null;
  private problem: string | null = null;
  private last: ScheduleRun | null = null;
  private lastLoaded = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<ScheduleRun> | null = null;
  private runningJob: { id: string; cancel(reason?: string): void } | null = null;
  private readonly now: () => Date;
  private readonly listeners = new Set<(run: ScheduleRun) => void>();

  constructor(
    private readonly engine: Engine,
    private readonly opts: SchedulerOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.settings = readSettings(engine);
    this.plan();
  }

  /** Starts checking for due runs (idempotent), first making up a missed night. The timer never keeps the process alive. */
  start(): void {
    if (this.timer) return;
    this.plan();
    this.timer = setInterval(() => void this.tick().catch(() => undefined), this.opts.checkEveryMs ?? 30_000);
    this.timer.unref?.();
    void this.catchUp().catch(() => undefined);
  }

  /**
   * Runs the backup now when the newest scheduled backup is older than the last time one was due:
   * the app was closed (or the machine asleep) then. Nothing is made up before the first scheduled
   * backup exists, so turning the schedule on in the afternoon does not start a backup at once.
   */
  async catchUp(): Promise<ScheduleRun | null> {
    if (!this.settings.enabled || this.running) return null;
    // The newest scheduled backup, by the time in its name (the schedule's own clock).
    const taken = (await this.engine.backups.list())
      .map((b) => scheduledNameTime(b.name, this.settings.zone))
      .filter((t): t is Date => t !== null)
      .sort((a, b) => b.getTime() - a.getTime())[0];
    if (!taken) return null;
    let due: Date;
    try {
      due = nextRunAt(new Date(this.now().getTime() - 24 * 3600 * 1000), this.settings.time, this.settings.zone);
    } catch {
      return null; // A bad time is reported by status(); there is no night to make up.
    }
    if (due.getTime() > this.now().getTime() || taken.getTime() >= due.getTime()) return null;
    return this.runNow(true);
  }

  /** Stops the timer and cancels a scheduled backup in progress (its job removes its temp archive). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.runningJob?.cancel('Storage Studio is shutting down');
    await this.running?.catch(() => undefined);
  }

  /** Runs the backup when it is due; returns the run it started and awaited, or null. */
  async tick(): Promise<ScheduleRun | null> {
    if (!this.settings.enabled || this.next === null || this.running) return null;
    if (this.now().getTime() < this.next.getTime()) return null;
    return this.runNow();
  }

  /** Calls `fn` with each scheduled run once it has ended (the desktop notification of a failed night); returns the unsubscribe. */
  onRun(fn: (run: ScheduleRun) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Takes a scheduled backup now (as the timer does), then pushes it when asked and applies retention. */
  async runNow(caughtUp = false): Promise<ScheduleRun> {
    if (this.running) return this.running;
    this.running = this.run(caughtUp).finally(() => {
      this.running = null;
      this.runningJob = null;
      this.plan();
    });
    void this.running.then((run) => {
      for (const fn of this.listeners) fn(run);
    });
    return this.running;
  }

  /** The settings, the next and the last run. */
  async status(): Promise<ScheduleStatus> {
    await this.loadLast();
    const overrides = envOverrides(this.engine);
    return {
      ...this.settings,
      next_run: this.next?.toISOString() ?? null,
      last_run: this.last,
      env_overrides: overrides,
      config_file: this.engine.config.configFile,
      cli: scheduleCli(this.settings),
      problem: this.problem,
    };
  }

  /** Validates and saves settings into the config file, then plans the next run with them. */
  async update(patch: Partial<ScheduleSettings>): Promise<ScheduleStatus> {
    const next: ScheduleSettings = { ...this.settings, ...definedOnly(patch) };
    next.time = formatTimeOfDay(parseTimeOfDay(next.time));
    if (!Number.isInteger(next.keep) || next.keep < 1 || next.keep > 1000) throw new FoxError('INVALID_INPUT', `${SCHEDULE_KEYS.keep} must be a whole number from 1 to 1000 (got ${next.keep})`);
    if (next.zone !== 'local' && next.zone !== 'utc') throw new FoxError('INVALID_INPUT', `${SCHEDULE_KEYS.zone} must be local or utc (got ${JSON.stringify(next.zone)})`);
    const values: Record<string, string | number | boolean> = {};
    for (const k of Object.keys(SCHEDULE_KEYS) as (keyof ScheduleSettings)[]) values[SCHEDULE_KEYS[k]] = next[k];
    await (this.opts.save ?? saveConfigValues)(this.engine.config.configFile, values);
    // A value an env variable sets stays in force: the file holds the new one for when it is unset.
    const overridden = new Set(envOverrides(this.engine).map((o) => o.key));
    const current = readSettings(this.engine);
    for (const k of Object.keys(SCHEDULE_KEYS) as (keyof ScheduleSettings)[]) {
      if (!overridden.has(SCHEDULE_KEYS[k])) (current as unknown as Record<string, unknown>)[k] = next[k];
    }
    this.settings = current;
    this.plan();
    return this.status();
  }

  /** Plans the next run; a bad time from config.yaml or env is reported, never thrown (the studio must start). */
  private plan(): void {
    this.problem = null;
    this.next = null;
    if (!this.settings.enabled) return;
    try {
      this.next = nextRunAt(this.now(), this.settings.time, this.settings.zone);
    } catch (err) {
      this.problem = `no nightly backup is planned: ${toFoxError(err).message}`;
    }
  }

  private async run(caughtUp: boolean): Promise<ScheduleRun> {
    const at = this.now();
    const name = scheduledBackupName(at, this.settings.zone);
    const run: ScheduleRun = { at: at.toISOString(), state: 'running', backup: name, job_id: null, error: null, pruned: [], push: null, caught_up: caughtUp };
    this.last = run;
    this.lastLoaded = true;
    try {
      const job = this.engine.backups.create({ name });
      this.runningJob = job;
      run.job_id = job.id;
      const created = await job.done;
      if (this.settings.push) run.push = await this.push(name);
      run.pruned = await this.prune();
      run.state = created.status === 'ok' ? 'ok' : 'completed_with_problems';
    } catch (err) {
      const fe = toFoxError(err);
      run.state = fe.code === 'CANCELED' ? 'canceled' : 'error';
      run.error = { code: fe.code, message: fe.message };
    }
    return run;
  }

  /** Pushes the night's backup; a failure is recorded on the run, the backup itself stays good. */
  private async push(name: string): Promise<SchedulePush> {
    try {
      const { startBackupPush } = await import('../engine/backup/remote.js');
      const job = startBackupPush(this.engine, name);
      this.runningJob = job;
      const r = await job.done;
      return { state: 'ok', remote: r.remote, bytes: r.size, error: null };
    } catch (err) {
      const fe = toFoxError(err);
      return { state: 'error', remote: null, bytes: 0, error: { code: fe.code, message: fe.message } };
    }
  }

  /**
   * Keeps the newest `keep` clean scheduled backups (planRetention: a backup with problems never
   * takes a place, and the newest clean one is never deleted); other backups are never touched.
   */
  private async prune(): Promise<string[]> {
    const scheduled = (await this.engine.backups.list()).filter((b) => isScheduledName(b.name)).sort((a, b) => b.name.localeCompare(a.name));
    const gone: string[] = [];
    let snapshots = 0;
    for (const b of planRetention(scheduled, { keepLast: this.settings.keep }).deleted) {
      await this.engine.backups.delete(b.format === 'snapshot' ? `snapshot:${b.name}` : b.path);
      gone.push(b.name);
      if (b.format === 'snapshot') snapshots++;
    }
    // A deleted snapshot's blobs stay until a repository prune: free what no snapshot uses now.
    if (snapshots > 0) await this.engine.backups.freeUnused();
    return gone;
  }

  /** The last scheduled run after a restart: the newest scheduled backup job in jobs.db. */
  private async loadLast(): Promise<void> {
    if (this.lastLoaded) return;
    this.lastLoaded = true;
    const job = this.engine.jobs.list({ limit: 500 }).find((j) => j.kind === 'backup.create' && j.title.startsWith(`backup create ${SCHEDULED_PREFIX}`));
    if (!job) return;
    const problems = job.state === 'ok' && (job.result as { status?: string } | null)?.status === 'completed_with_problems';
    const state = problems ? 'completed_with_problems' : job.state === 'ok' || job.state === 'error' || job.state === 'canceled' ? job.state : 'running';
    this.last = { at: job.created_at, state, backup: job.title.slice('backup create '.length), job_id: job.id, error: job.error, pruned: [], push: null, caught_up: false };
  }
}

/** The scheduler of each engine: one per process hosting it, shared by the handlers and the studio. */
const schedulers = new WeakMap<Engine, BackupScheduler>();

/** The engine's scheduler, created on first use (not started: createStudio starts it). */
export function schedulerFor(engine: Engine, opts?: SchedulerOptions): BackupScheduler {
  let s = schedulers.get(engine);
  if (!s) schedulers.set(engine, (s = new BackupScheduler(engine, opts)));
  return s;
}

/** Writes values into the config file through the engine's editor (comments kept, atomic). */
async function saveConfigValues(file: string, values: Record<string, string | number | boolean>): Promise<void> {
  editConfig(file, Object.entries(values).map(([key, value]) => ({ key, value })));
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The schedule settings the engine resolved (env > config file > default). */
function readSettings(engine: Engine): ScheduleSettings {
  const get = (key: string): string | number | boolean | undefined => engine.config.values.find((v) => v.key === key)?.value;
  const zone = String(get(SCHEDULE_KEYS.zone) ?? 'local');
  return {
    enabled: get(SCHEDULE_KEYS.enabled) === true,
    time: String(get(SCHEDULE_KEYS.time) ?? '02:00'),
    zone: zone === 'utc' ? 'utc' : 'local',
    keep: Number(get(SCHEDULE_KEYS.keep) ?? 7),
    push: get(SCHEDULE_KEYS.push) === true,
  };
}

function envOverrides(engine: Engine): { key: string; variable: string }[] {
  const keys = new Set<string>(Object.values(SCHEDULE_KEYS));
  return engine.config.values.flatMap((v) => (keys.has(v.key) && v.source.kind === 'env' ? [{ key: v.key, variable: v.source.variable }] : []));
}

/** The schedule as commands: how to set it from a terminal, and what each run does. */
export function scheduleCli(s: ScheduleSettings): string {
  return [
    `foxctl backup schedule ${s.enabled ? '--enable' : '--disable'} --time ${s.time} --zone ${s.zone} --keep ${s.keep}${s.push ? ' --push' : ''}`,
    `# each night at ${s.time}${s.zone === 'utc' ? ' UTC' : ''} while Storage Studio runs (a night missed while it was closed is made up at its next start):`,
    `foxctl backup create --name ${SCHEDULED_PREFIX}YYYYMMDD-HHMMSS`,
    ...(s.push ? [`foxctl backup push ${SCHEDULED_PREFIX}YYYYMMDD-HHMMSS`] : []),
    `# then delete ${SCHEDULED_PREFIX}* backups beyond the newest ${s.keep} clean ones (foxctl backup delete NAME);`,
    '# a backup with problems never counts as one of them, and the newest clean one is never deleted',
  ].join('\n');
}
