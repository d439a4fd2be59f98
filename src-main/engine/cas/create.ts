import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import type { JobManager } from '../jobs/manager.js';
import { storePath } from '../registry/paths.js';
import { lookupStore } from '../registry/stores.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { CasService } from './service.js';
import { lazyBackend } from './lazy-backend.js';
import { resolveS3Settings, s3Location, type S3Overrides } from './s3-config.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { redactUrl, resolveTursoSettings, type TursoOverrides } from './turso-config.js';
import type { CasBackend } from './types.js';

export type { CasService };

/** The CAS drivers of FOXCTL_CAS_DRIVER / cas.driver. */
export const CAS_DRIVERS = ['file', 'sqlite', 'turso', 's3'] as const;

/** Values set in the app that win over env (the GUI's stored credentials). */
export interface CasOverrides {
  s3?: S3Overrides;
  turso?: TursoOverrides;
}

/** The backend that config selects: FOXCTL_CAS_DRIVER (cas.driver), default `file`. */
export function createCasBackend(config: FoxConfig, overrides: CasOverrides = {}): CasBackend {
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
    // The remote backends load their module and client library on first use (see lazy-backend.ts).
    case 'turso': {
      const settings = resolveTursoSettings(config.env, overrides.turso);
      return lazyBackend('turso', redactUrl(settings.url), async () => (await import('./turso-backend.js')).createTursoBackend({ settings }));
    }
    case 's3': {
      const settings = resolveS3Settings(config.env, overrides.s3);
      return lazyBackend('s3', s3Location(settings), async () => (await import('./s3-backend.js')).createS3Backend({ settings }));
    }
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
