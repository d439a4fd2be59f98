import { HTTP, type CallInput, type CallName } from '../../src-preload/contract.js';
import { exportToFileJob, rowsExportFileName } from '../engine/db/export/export-file.js';
import { rowsExportMediaType } from '../engine/db/export/rows-format.js';
import type { ExportPlan, ExportWhat } from '../engine/db/inspect/inspector.js';
import type { Engine } from '../engine/engine.js';
import { FoxError } from '../engine/errors.js';
import { lookupStore } from '../engine/registry/stores.js';
import { downloadTicketsFor } from './download-tickets.js';
import type { Handler, HostInfo } from './handlers.js';

/** The Stores view's export calls. */
type DbExportCall = 'db.exportLink' | 'db.saveExport';

/** The engine's form of what an export reads. */
function exportWhat(what: CallInput<'db.exportLink'>['what']): ExportWhat {
  if ('sql' in what) return { sql: what.sql };
  return { table: what.table, ...(what.sort ? { sort: what.sort } : {}), ...(what.where !== undefined ? { where: what.where } : {}) };
}

/**
 * Checks an export of a store of the registry (looked up by name, so a name that is no store is
 * NOT_FOUND rather than a file in the server's directory): a bad table, filter or statement is
 * an error of the call, before any download or dialog.
 */
async function plan(engine: Engine, input: CallInput<'db.exportLink'>, signal: AbortSignal): Promise<{ plan: ExportPlan; name: string }> {
  const def = lookupStore(input.store);
  const what = exportWhat(input.what);
  const p = await engine.inspect.planExport(def.name, what, { ...(input.key === undefined ? {} : { key: input.key }), signal });
  return { plan: p, name: rowsExportFileName(input.key === undefined ? def.name : `${def.name}-${input.key}`, what, input.format) };
}

/**
 * Handlers of the Stores view's exports: a download streamed by the server in browser mode, a
 * job writing to the path the user picks in Electron (as events.exportLink / events.saveExport).
 */
export function createDbExportHandlers(engine: Engine, host?: Pick<HostInfo, 'mode' | 'pickSavePath'>): { [N in DbExportCall & CallName]: Handler<N> } {
  return {
    'db.exportLink': async (input, { signal }) => {
      if (host?.mode === 'electron') throw new FoxError('UNSUPPORTED', 'the desktop app saves an export with a file dialog (db.saveExport)');
      const { plan: p, name } = await plan(engine, input, signal);
      const ticket = downloadTicketsFor(engine).issue({
        kind: 'rows',
        name,
        type: rowsExportMediaType(input.format).type,
        run: (write, s) => p.run(input.format, write, { signal: s }),
      });
      return { url: `${HTTP.download}${ticket}`, name, sql: p.sql };
    },
    'db.saveExport': async (input, { signal }) => {
      if (host?.mode !== 'electron') throw new FoxError('UNSUPPORTED', 'browser mode exports through a download (db.exportLink), not a path on this machine');
      const { plan: p, name } = await plan(engine, input, signal);
      // The path comes from the user's own dialog in main, never from the renderer.
      const dest = (await host.pickSavePath?.(name)) ?? null;
      if (dest === null) return { saved: false, jobId: null, path: null };
      const job = exportToFileJob(engine.jobs, p, input.format, dest, { title: `export ${name}` });
      return { saved: true, jobId: job.id, path: dest };
    },
  };
}
