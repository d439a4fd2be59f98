import { createBackupService, type BackupService } from './backup/service.js';
import { createCas, type CasService } from './cas/create.js';
import { resolveConfig, type FoxConfig, type ResolveConfigOptions } from './config/resolve.js';
import { StoreConnections } from './db/connections.js';
import { DbInspector } from './db/inspect/inspector.js';
import { createEventsService, type EventsService } from './events/service.js';
import { FoxError } from './errors.js';
import { JobManager } from './jobs/manager.js';
import type { SecretCipher } from './secrets/cipher.js';
import { SavedSettings } from './secrets/saved-settings.js';
import { SecretStore } from './secrets/store.js';

/** Inputs of openEngine: the environment, an optional explicit config file, and the host's secret cipher. */
export type OpenEngineOptions = ResolveConfigOptions & {
  /** Electron's safeStorage (src-main/app/secret-cipher.ts); absent in browser mode and the CLI. */
  secretCipher?: SecretCipher | undefined;
};

/**
 * The storage engine: the one composition root. Config is resolved at once; everything else
 * (stores, jobs.db, CAS, events, backups) opens lazily on first use, so a command touches only
 * what it needs.
 */
export class Engine {
  readonly config: FoxConfig;
  readonly stores: StoreConnections;
  readonly jobs: JobManager;
  /** Settings saved in the app (config.yaml connection keys, the secret store), layered under env. */
  readonly settings: SavedSettings;
  private closed = false;

  constructor(config: FoxConfig, opts: Pick<OpenEngineOptions, 'secretCipher' | 'configFile'> = {}) {
    this.settings = new SavedSettings(config, new SecretStore(config.home, opts.secretCipher), opts.configFile);
    config = this.settings.config;
    this.config = config;
    this.stores = new StoreConnections(config);
    let jobsReady = false;
    this.jobs = new JobManager(() => {
      const db = this.stores.get('JOBS');
      if (!jobsReady) {
        jobsReady = true;
        this.jobs.recoverInterrupted();
      }
      return db;
    }, () => this.stores.reset('JOBS'));
  }

  private _inspect?: DbInspector;

  /** Read-only inspection of stores and SQLite files (db info/tables/schema/query/check). */
  get inspect(): DbInspector {
    return (this._inspect ??= new DbInspector(this.config));
  }

  private _events?: EventsService;

  /** Events: emit (five persist modes), live tail, viewer queries over events.db, prune, the syncer. */
  get events(): EventsService {
    return (this._events ??= createEventsService(this.config, () => this.stores.get('EVENTS'), this.jobs, () => this.stores.reset('EVENTS')));
  }

  private _backups?: BackupService;

  /** Backups: create, list, info, verify, restore, rehearse, delete, prune (Go archive format). */
  get backups(): BackupService {
    return (this._backups ??= createBackupService(this));
  }

  private _cas?: CasService;

  /** The content-addressed store over the configured backend (FOXCTL_CAS_DRIVER), opened on first use. */
  get cas(): CasService {
    return (this._cas ??= createCas(this));
  }

  /**
   * Applies settings saved in the app: the layered env is refreshed in place (drivers opened
   * from now on use it) and an open CAS is closed so that its next use opens the configured
   * backend with the new settings. CONFLICT while a CAS job runs. Returns the fresh config.
   */
  async reloadSettings(): Promise<FoxConfig> {
    const fresh = this.settings.refresh();
    const reopen = this._cas !== undefined && (fresh.casDriver !== this.config.casDriver || ['s3', 'turso'].includes(fresh.casDriver));
    if (reopen) {
      const busy = this.jobs.active().find((j) => j.kind.startsWith('cas.'));
      if (busy) throw new FoxError('CONFLICT', `settings saved, but the CAS keeps its old backend until job ${busy.id} (${busy.title}) ends`);
      const old = this._cas;
      this._cas = undefined;
      await old?.close();
    }
    this.config.casDriver = fresh.casDriver;
    // Stores read their driver at each open: a saved db.driver applies to the next one.
    this.config.dbDriver = fresh.dbDriver;
    return fresh;
  }

  /** Whether close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels running jobs, stops background work at a safe boundary, closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The syncer first: it ends its pass at a batch boundary before its connection closes.
    await this._events?.close();
    await this.jobs.shutdown();
    await this._cas?.close();
    await this._inspect?.close();
    this._backups?.close();
    this.stores.closeAll();
  }
}

/** Resolves config and returns an engine over it. Throws FoxError on invalid config. */
export function openEngine(opts: OpenEngineOptions = {}): Engine {
  return new Engine(resolveConfig(opts), opts);
}
