export { BackupService, createBackupService, type BackupHost } from './service.js';
export * from './types.js';
