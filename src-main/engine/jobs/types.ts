import type { ErrorCode } from '../errors.js';

/** The states of a job; `ok`, `error` and `canceled` are final. */
export type JobState = 'queued' | 'running' | 'ok' | 'error' | 'canceled';

/** Progress of a job. `total` is null while unknown; `rate` is units per second; `eta` in seconds. */
export interface JobProgress {
  done: number;
  total: number | null;
  unit: string;
  rate: number | null;
  eta: number | null;
  /** A short line about the current step ("table named_memory", "sha256:ab12…"). */
  message?: string;
}

/** A job as it is recorded in jobs.db and shown to users. */
export interface JobInfo {
  id: string;
  kind: string;
  /** A one-line description of what it does ("backup create nightly"). */
  title: string;
  state: JobState;
  progress: JobProgress;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  result: unknown;
  error: { code: ErrorCode; message: string } | null;
  /**
   * The name a client gave the job when it asked for it (a browser upload's own id), so that it
   * follows the job's progress before its answer names the job. Not kept in jobs.db.
   */
  client_ref?: string;
}

/** What a job's body receives: its signal and a way to report progress. */
export interface JobContext {
  id: string;
  signal: AbortSignal;
  /** Reports progress; calls are cheap and throttled before they reach subscribers and jobs.db. */
  progress(done: number, total?: number | null, message?: string): void;
  /** Sets the unit of progress (`bytes`, `objects`, `rows`, `files`). */
  setUnit(unit: string): void;
}

/** An update published to subscribers: the job as it is now. */
export type JobListener = (job: JobInfo) => void;
