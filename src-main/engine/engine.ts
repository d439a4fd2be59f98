import { createBackupService, type BackupService } from './backup/service.js';
import { createCas, type CasService } from './cas/create.js';
import { resolveConfig, type FoxConfig, type ResolveConfigOptions } from './config/resolve.js';
import { StoreConnections } from './db/connections.js';
import { DbInspector } from './db/inspect/inspector.js';
import { createEventsService, type EventsService } from './events/service.js';
import { JobManager } from './jobs/manager.js';

/** Inputs of openEngine: the environment and an optional explicit config file. */
export type OpenEngineOptions = ResolveConfigOptions;

/**
 * The storage engine: the one composition root. Config is resolved at once; everything else
 * (stores, jobs.db, CAS, events, backups) opens lazily on first use, so a command touches only
 * what it needs.
 */
export class Engine {
  readonly config: FoxConfig;
  readonly stores: StoreConnections;
  readonly jobs: JobManager;
  private closed = false;

  constructor(config: FoxConfig) {
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
    });
  }

  private _inspect?: DbInspector;

  /** Read-only inspection of stores and SQLite files (db info/tables/schema/query/check). */
  get inspect(): DbInspector {
    return (this._inspect ??= new DbInspector(this.config));
  }

  private _events?: EventsService;

  /** Events: emit (five persist modes), live tail, viewer queries over events.db, prune, the syncer. */
  get events(): EventsService {
    return (this._events ??= createEventsService(this.config, () => this.stores.get('EVENTS'), this.jobs));
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
    this._inspect?.close();
    this.stores.closeAll();
  }
}

/** Resolves config and returns an engine over it. Throws FoxError on invalid config. */
export function openEngine(opts: OpenEngineOptions = {}): Engine {
  return new Engine(resolveConfig(opts));
}
