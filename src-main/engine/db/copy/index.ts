export { targetOpener } from './open-target.js';
export { DEFAULT_BATCH_SIZE, migrateData, startDbMigrate, type DbMigrateHost, type MigrateDataDeps, type OpenTargetDriver } from './migrate-data.js';
export { maskDsn, parseTarget, type MigrateTarget } from './target.js';
export type { DbMigrateOptions, DbMigrateReport, MigrateFailure, StoreReport, TableReport } from './types.js';
