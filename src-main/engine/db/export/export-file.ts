import path from 'node:path';
import type { OpOptions } from '../../errors.js';
import type { JobHandle, JobManager } from '../../jobs/manager.js';
import type { ExportPlan } from '../inspect/inspector.js';
import { writeWholeFile } from '../../util/whole-file.js';
import type { RowsExportFormat } from './rows-format.js';

/** What an export job returns. */
export interface RowsExportFileResult {
  rows: number;
  path: string;
  size_bytes: number;
}

/**
 * Writes a planned export to `dest` as a job (progress in rows, total unknown, cancellable). The
 * rows go to a temp file beside `dest`, flushed, renamed over it only once complete, and the
 * folder flushed: a cancelled or failed export leaves no file, and never a truncated one under
 * the chosen name.
 */
export function exportToFileJob(
  jobs: JobManager,
  plan: ExportPlan,
  format: RowsExportFormat,
  dest: string,
  opts: OpOptions & { title?: string; onRows?: (rows: number) => void } = {},
): JobHandle<RowsExportFileResult> {
  const target = path.resolve(dest);
  const title = opts.title ?? `db export to ${path.basename(target)}`;
  return jobs.start({ kind: 'db.export', title, unit: 'rows', signal: opts.signal }, async (ctx) => {
    ctx.progress(0, null);
    const { value: r, bytes } = await writeWholeFile(target, (write) =>
      plan.run(format, write, {
        signal: ctx.signal,
        onProgress: (n) => {
          ctx.progress(n, null);
          opts.onRows?.(n);
        },
      }),
    );
    ctx.progress(r.rows, r.rows);
    return { rows: r.rows, path: target, size_bytes: bytes };
  });
}

/** The name an export is offered under: `memory-notes.csv`, `memory-query.json` (store and table in lower case, unsafe characters as `_`). */
export function rowsExportFileName(store: string, what: { table: string } | { sql: string }, format: RowsExportFormat): string {
  const part = (s: string): string => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'export';
  return `${part(store)}-${'table' in what ? part(what.table) : 'query'}.${format}`;
}
