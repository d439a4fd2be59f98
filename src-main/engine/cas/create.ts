import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import type { JobManager } from '../jobs/manager.js';
import { storePath } from '../registry/paths.js';
import { lookupStore } from '../registry/stores.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { CasService } from './service.js';
import { createSqliteBackend } from './sqlite-backend.js';
import type { CasBackend } from './types.js';

export type { CasService };

/** The CAS drivers of FOXCTL_CAS_DRIVER / cas.driver. */
export const CAS_DRIVERS = ['file', 'sqlite', 'turso', 's3'] as const;

/** The backend that config selects: FOXCTL_CAS_DRIVER (cas.driver), default `file`. */
export function createCasBackend(config: FoxConfig): CasBackend {
  const driver = config.casDriver.trim().toLowerCase();
  switch (driver) {
    case 'file':
      return createFileBackend({ dir: config.casDir });
    case 'sqlite': {
      const store = lookupStore('CAS');
      const raw = config.env.FOXCTL_CAS_DB_TIMEOUT?.trim();
      const timeoutMs = raw ? Number(raw) : 5000;
      if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new FoxError('INVALID_INPUT', `$FOXCTL_CAS_DB_TIMEOUT must be a whole number of milliseconds (got "${raw}")`);
      return createSqliteBackend({ file: storePath(config, store), timeoutMs });
    }
    case 'turso':
    case 's3':
      throw new FoxError('UNSUPPORTED', `the ${driver} CAS backend is not in this build yet (FOXCTL_CAS_DRIVER=${driver}); use file or sqlite`, { subject: `cas ${driver}` });
    default:
      throw new FoxError('INVALID_INPUT', `unknown CAS driver "${driver}" (FOXCTL_CAS_DRIVER / cas.driver); valid drivers: ${CAS_DRIVERS.join(', ')}`);
  }
}

/** What createCas needs from the engine (structural, so the engine module is not imported here). */
export interface CasHost {
  config: FoxConfig;
  jobs: JobManager;
}

/** The engine's CAS service over the configured backend (opened on first use). */
export function createCas(host: CasHost): CasService {
  return new CasService(new CasStore(createCasBackend(host.config)), host.jobs, host.config.inlineOutputKb);
}
