import type { Env } from '../config/resolve.js';
import { FoxError } from '../errors.js';
import { normalizePrefix, resolveS3Settings, type S3Overrides, type S3Settings } from '../cas/s3-config.js';

/**
 * Where pushed backups go: the CAS's S3 bucket and endpoint settings (FOXCTL_CAS_S3_*), or
 * $FOXCTL_BACKUP_S3_BUCKET, under their own prefix $FOXCTL_BACKUP_S3_PREFIX (default `backups/`),
 * apart from the CAS's `cas/` keys.
 */
export function resolveBackupS3Settings(env: Env, overrides: S3Overrides = {}): S3Settings {
  const bucket = overrides.bucket ?? (env.FOXCTL_BACKUP_S3_BUCKET?.trim() || env.FOXCTL_CAS_S3_BUCKET?.trim());
  if (!bucket) {
    throw new FoxError('INVALID_INPUT', 'remote backups need an S3 bucket: set $FOXCTL_BACKUP_S3_BUCKET or $FOXCTL_CAS_S3_BUCKET (plus FOXCTL_CAS_S3_ENDPOINT / _REGION for non-AWS servers)', { subject: 'backup remote' });
  }
  const prefix = overrides.prefix ?? normalizePrefix(env.FOXCTL_BACKUP_S3_PREFIX ?? 'backups/', '$FOXCTL_BACKUP_S3_PREFIX');
  return resolveS3Settings(env, { ...overrides, bucket, prefix });
}
