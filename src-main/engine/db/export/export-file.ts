import fs from 'node:fs';
import path from 'node:path';
import { FoxError, toFoxError, type OpOptions } from '../../errors.js';
import type { JobHandle, JobManager } from '../../jobs/manager.js';
import type { ExportPlan } from '../inspect/inspector.js';
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
    const dir = path.dirname(target);
    if (!fs.existsSync(dir)) throw new FoxError('NOT_FOUND', `cannot export to ${target}: the folder ${dir} does not exist`, { subject: target });
    ctx.progress(0, null);
    const tmp = path.join(dir, `.${path.basename(target)}.export-${process.pid}-${Math.random().toString(36).slice(2, 8)}.tmp`);
    const fh = await fs.promises.open(tmp, 'wx', 0o644);
    let closed = false;
    try {
      let bytes = 0;
      const write = async (text: string): Promise<void> => {
        const buf = Buffer.from(text, 'utf8');
        bytes += buf.length;
        await fh.write(buf);
      };
      const r = await plan.run(format, write, {
        signal: ctx.signal,
        onProgress: (n) => {
          ctx.progress(n, null);
          opts.onRows?.(n);
        },
      });
      await fh.sync();
      await fh.close();
      closed = true;
      await fs.promises.rename(tmp, target);
      await syncDir(dir);
      ctx.progress(r.rows, r.rows);
      return { rows: r.rows, path: target, size_bytes: bytes };
    } catch (err) {
      if (!closed) await fh.close().catch(() => undefined);
      await fs.promises.rm(tmp, { force: true });
      throw toFoxError(err, target);
    }
  });
}

/** Flushes a folder's entries (the rename), where the platform allows opening a folder. */
async function syncDir(dir: string): Promise<void> {
  let fh: fs.promises.FileHandle | undefined;
  try {
    fh = await fs.promises.open(dir, 'r');
    await fh.sync();
  } catch {
    // Windows cannot open a folder: the rename is as durable as the platform makes it.
  } finally {
    await fh?.close().catch(() => undefined);
  }
}

/** The name an export is offered under: `memory-notes.csv`, `memory-query.json` (store and table in lower case, unsafe characters as `_`). */
export function rowsExportFileName(store: string, what: { table: string } | { sql: string }, format: RowsExportFormat): string {
  const part = (s: string): string => s.toLowerCase().replace(/[^a-z0-9._-]+/g, '_').replace(/^[._]+/, '') || 'export';
  return `${part(store)}-${'table' in what ? part(what.table) : 'query'}.${format}`;
}
