import type { CallInput, CallName, CallOutput } from '../../src-preload/contract.js';
import fs from 'node:fs/promises';
import { basename } from 'node:path';
import type { Engine } from '../engine/engine.js';
import { FoxError, toFoxError } from '../engine/errors.js';
import { listStores } from '../engine/stores/list-stores.js';
import { withServerSizes } from './store-sizes.js';
import { areaFeatures, syncerStatus } from './areas.js';
import { createCasHandlers } from './cas-handlers.js';
import { createCasPlaceHandlers } from './cas-place-handlers.js';
import { createDbExportHandlers } from './db-export-handlers.js';
import { createEventsHandlers } from './events-handlers.js';
import { createBackupHandlers } from './backup-handlers.js';
import { createBackupRemoteHandlers } from './backup-remote-handlers.js';
import { createBackupBrowseHandlers } from './backup-browse-handlers.js';
import { createSettingsHandlers } from './settings-handlers.js';
import { createInspectHandlers } from './inspect-handlers.js';
import { createDbMigrateHandlers } from './db-handlers.js';
import { buildOverview } from './overview.js';

/** What a handler receives besides its input: the request's signal. */
export interface HandlerContext {
  signal: AbortSignal;
}

/** A handler of one call: validated input in, a value matching the call's output out. */
export type Handler<N extends CallName> = (input: CallInput<N>, ctx: HandlerContext) => Promise<CallOutput<N>>;

/** One handler per call of the contract; the compiler checks that none is missing. */
export type Handlers = { [N in CallName]: Handler<N> };

/** Facts about the process hosting the handlers. */
export interface HostInfo {
  mode: 'electron' | 'browser';
  version: string;
  /** Electron: asks the user where to save a file (a save dialog); null when they cancel. */
  pickSavePath?: (suggestedName: string) => Promise<string | null>;
}

/**
 * The handlers of every call, written once and shared by the IPC and HTTP transports. Calls
 * that start long work return the job id at once: progress and the end arrive as `job` events,
 * and the job (not the request) is what Cancel stops.
 */
export function createHandlers(engine: Engine, host: HostInfo): Handlers {
  return {
    'app.info': async () => ({
      version: host.version,
      mode: host.mode,
      platform: process.platform,
      home: engine.config.home,
      features: areaFeatures(engine),
    }),
    'overview.get': async (_input, { signal }) => buildOverview(engine, signal),
    'stores.list': async (_input, { signal }) => withServerSizes(engine, await listStores(engine.config, { signal }), signal),
    ...createInspectHandlers(engine),
    ...createDbExportHandlers(engine, host),
    ...createDbMigrateHandlers(engine),
    'config.show': async () => {
      const c = engine.config;
      return { home: c.home, configFile: c.configFile, configFileLoaded: c.configFileLoaded, values: c.values, warnings: c.warnings };
    },
    'jobs.list': async (input) => engine.jobs.list(input),
    'jobs.get': async (input) => engine.jobs.get(input.id),
    'jobs.cancel': async (input) => ({ canceled: engine.jobs.cancel(input.id, 'canceled from Storage Studio') }),
    'syncer.status': async () => syncerStatus(engine),
    'syncer.syncNow': async () => ({ jobId: engine.events.syncJob().id }),
    ...createEventsHandlers(engine, host),
    'backups.list': async (_input, { signal }) => engine.backups.list({ signal }),
    ...createBackupHandlers(engine),
    ...createBackupRemoteHandlers(engine),
    ...createBackupBrowseHandlers(engine),
    'cas.stats': async (_input, { signal }) => engine.cas.stats({ signal }),
    ...createSettingsHandlers(engine),
    ...createCasHandlers(engine, host),
    ...createCasPlaceHandlers(engine),
    'cas.putPath': async (input) => {
      // A page in a browser hands over bytes, never a path on this machine to read.
      if (host.mode !== 'electron') throw new FoxError('UNSUPPORTED', 'browser mode uploads the file itself (streamed), not a path: use the upload');
      await assertRegularFile(input.path);
      const { path: file, name, ...opts } = input;
      return { jobId: engine.cas.startPut({ path: file }, { ...opts, name: name ?? basename(file), title: `cas put ${name ?? basename(file)}` }).id };
    },
  };
}

/** Refuses a path that is not a regular file before a job starts, naming it. */
async function assertRegularFile(file: string): Promise<void> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    throw toFoxError(err, file);
  }
  if (!st.isFile()) throw new FoxError('INVALID_INPUT', `${file} is not a regular file`, { subject: file });
}
