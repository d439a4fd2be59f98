import { resolveConfig, type FoxConfig, type ResolveConfigOptions } from './config/resolve.js';
import { StoreConnections } from './db/connections.js';
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

  /** Whether close() was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /** Cancels running jobs, stops background work at a safe boundary, closes every connection. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.jobs.shutdown();
    this.stores.closeAll();
  }
}

/** Resolves config and returns an engine over it. Throws FoxError on invalid config. */
export function openEngine(opts: OpenEngineOptions = {}): Engine {
  return new Engine(resolveConfig(opts));
}
