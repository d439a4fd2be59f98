import { ERROR_CODES, FoxError, toFoxError, type ErrorCode } from '../engine/errors.js';

/** The JSON envelope of every `--json` line (FORMATS.md). */
export interface Envelope {
  version: 1;
  status: 'ok' | 'error';
  command: string;
  data: unknown;
  meta: { ts: string; duration_ms: number; [k: string]: unknown };
  error?: { code: ErrorCode; message: string };
}

/** Exit status of a failed command, per error code (1 for anything unexpected). */
export const EXIT_CODES: Record<ErrorCode, number> = Object.fromEntries(ERROR_CODES.map((c, i) => [c, 10 + i])) as Record<ErrorCode, number>;

/** Builds an ok envelope. */
export function okEnvelope(command: string, data: unknown, startedMs: number, meta: Record<string, unknown> = {}): Envelope {
  return { version: 1, status: 'ok', command, data, meta: { ts: new Date().toISOString(), duration_ms: Date.now() - startedMs, ...meta } };
}

/** Builds an error envelope from any error. */
export function errorEnvelope(command: string, err: unknown, startedMs: number): Envelope {
  const fe = err instanceof FoxError ? err : toFoxError(err);
  return {
    version: 1,
    status: 'error',
    command,
    data: null,
    meta: { ts: new Date().toISOString(), duration_ms: Date.now() - startedMs },
    error: { code: fe.code, message: fe.message },
  };
}

/** Formats a byte count for people (`1.5 MiB`). */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '?';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Renders rows as an aligned text table with a header. */
export function formatTable(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}
