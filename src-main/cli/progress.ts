import type { JobInfo } from '../engine/jobs/types.js';
import { formatBytes } from './output.js';

/** Formats seconds as `1m05s` / `42s`. */
function formatEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  const t = Math.round(s);
  return t >= 60 ? `${Math.floor(t / 60)}m${String(t % 60).padStart(2, '0')}s` : `${t}s`;
}

/** One line of progress for a job: bar, amounts, rate, ETA. */
export function progressLine(job: JobInfo, width = 24): string {
  const p = job.progress;
  const fmt = (n: number): string => (p.unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
  const frac = p.total ? Math.min(1, p.done / p.total) : null;
  const bar = frac === null ? '' : `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${(frac * 100).toFixed(0).padStart(3)}% `;
  const amount = p.total !== null ? `${fmt(p.done)}/${fmt(p.total)}` : `${fmt(p.done)} ${p.unit === 'bytes' ? '' : p.unit}`.trim();
  const rate = p.rate ? ` ${fmt(p.rate)}${p.unit === 'bytes' ? '' : ` ${p.unit}`}/s` : '';
  const eta = p.eta !== null && job.state !== 'ok' ? ` eta ${formatEta(p.eta)}` : '';
  return `${job.title}: ${bar}${amount}${rate}${eta}`;
}

/**
 * Draws a job's progress on stderr while it runs, only when stderr is a terminal (so logs and
 * pipes stay clean). Returns a function that clears the line.
 */
export function showProgress(subscribe: (l: (job: JobInfo) => void) => () => void, jobId: () => string | undefined): () => void {
  const tty = process.stderr.isTTY === true;
  if (!tty) return () => undefined;
  let last = 0;
  const unsubscribe = subscribe((job) => {
    if (job.id !== jobId()) return;
    const now = Date.now();
    if (now - last < 100 && job.state === 'running') return;
    last = now;
    const cols = process.stderr.columns || 100;
    process.stderr.write(`\r\x1b[2K${progressLine(job).slice(0, cols - 1)}`);
  });
  return () => {
    unsubscribe();
    process.stderr.write('\r\x1b[2K');
  };
}
