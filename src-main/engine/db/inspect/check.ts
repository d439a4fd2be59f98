import { FoxError, isFoxError, type OpOptions } from '../../errors.js';
import type { QueryHost } from '../query/query-host.js';
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
  /** The pool of query children to run it in (default: the shared one). */
  host?: QueryHost;
}

/** The verdict of an integrity check. */
export interface CheckResult {
  /** The driver that checked. */
  driver: string;
  path: string;
  /** PostgreSQL: amcheck's bt_index_check over the store's B-tree indexes. */
  mode: 'integrity_check' | 'quick_check' | 'bt_index_check';
  /**
   * False when the server offers no check (PostgreSQL without amcheck): then `ok` is false and
   * `problems` is empty; `note` says why. Neither an error nor a clean bill.
   */
  available: boolean;
  ok: boolean;
  /** Problems the check reported (empty when ok). */
  problems: string[];
  /** Why no check ran, or what it covered. */
  note?: string;
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
  const started = Date.now();
  let res;
  try {
    res = await runReadOnlyQuery(target.file, `PRAGMA ${mode}(${max})`, {
      limit: max + 1,
      timeoutMs: opts.timeoutMs ?? 0,
      busyTimeoutMs: target.busyTimeoutMs,
      subject: target.subject,
      signal: opts.signal,
      ...(opts.host ? { host: opts.host } : {}),
    });
  } catch (err) {
    // Badly damaged structures make SQLite abort the check itself with SQLITE_CORRUPT: that is
    // the finding, not a failure to check.
    if (!isFoxError(err, 'CORRUPT')) throw err;
    const why = err.message.startsWith(`${target.subject}: `) ? err.message.slice(target.subject.length + 2) : err.message;
    return { driver: 'sqlite', path: target.file, mode, available: true, ok: false, problems: [`SQLite could not finish the check: ${why}`], duration_ms: Date.now() - started };
  }
  const { ok, problems } = integrityVerdict(res.rows.map((r) => r[0]));
  return { driver: 'sqlite', path: target.file, mode, available: true, ok, problems, duration_ms: res.duration_ms };
}

/** The verdict of integrity_check's rows (SQLite and libSQL): "ok" alone, else every problem line. */
export function integrityVerdict(cells: readonly unknown[]): { ok: boolean; problems: string[] } {
  // One row may hold several problems, one per line, under a "*** in database main ***" banner.
  const lines = cells
    .flatMap((c) => String(c).split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^\*\*\* in database \w+ \*\*\*$/.test(l));
  const ok = lines.length === 1 && lines[0] === 'ok';
  return { ok, problems: ok ? [] : lines };
}
