import { FoxError, type OpOptions } from '../../errors.js';
import { runReadOnlyQuery } from '../query/run-query.js';
import type { DbTarget } from './target.js';

/** Options of dbCheck. */
export interface CheckOptions extends OpOptions {
  /** `quick_check` (O(N), skips index/content cross-checks) instead of `integrity_check`. */
  quick?: boolean;
  /** Stop after this many problems (default 100). */
  maxErrors?: number;
  /** Time limit in ms (default 0: none, only the signal). */
  timeoutMs?: number;
}

/** The verdict of an integrity check. */
export interface CheckResult {
  path: string;
  mode: 'integrity_check' | 'quick_check';
  ok: boolean;
  /** Problems SQLite reported (empty when ok). */
  problems: string[];
  duration_ms: number;
}

/**
 * Runs `PRAGMA integrity_check` (or quick_check) on a read-only connection in a child process,
 * so a check of a huge file can be canceled or time-limited like any query.
 */
export async function dbCheck(target: DbTarget, opts: CheckOptions = {}): Promise<CheckResult> {
  const mode = opts.quick ? 'quick_check' : 'integrity_check';
  const max = opts.maxErrors ?? 100;
  if (!Number.isInteger(max) || max < 1) throw new FoxError('INVALID_INPUT', `max errors must be a whole number of at least 1 (got ${max})`);
  const res = await runReadOnlyQuery(target.file, `PRAGMA ${mode}(${max})`, {
    limit: max + 1,
    timeoutMs: opts.timeoutMs ?? 0,
    busyTimeoutMs: target.busyTimeoutMs,
    subject: target.subject,
    signal: opts.signal,
  });
  const lines = res.rows.map((r) => String(r[0]));
  const ok = lines.length === 1 && lines[0] === 'ok';
  return { path: target.file, mode, ok, problems: ok ? [] : lines, duration_ms: res.duration_ms };
}
