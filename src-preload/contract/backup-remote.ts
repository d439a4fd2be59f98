// The Backups view's bucket: backups pushed to S3 (archives and snapshots), push and pull as jobs.
import { z } from 'zod';
import { call, cliLine, count, none, timestamp } from './parts';

const backupName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 'a backup name is letters, digits, . _ - (up to 128)');

/** One backup in the bucket. */
export const remoteBackupSchema = z.object({
  name: z.string(),
  file: z.string(),
  key: z.string(),
  /** A Go tar.gz archive, or a snapshot of the repository. */
  format: z.enum(['tar', 'snapshot']),
  /** Archive bytes; for a snapshot, the bytes of the home it holds. */
  size: count,
  created_at: timestamp.nullable(),
  components: z.array(z.string()),
  pushed_at: z.string(),
  pushed_from: z.string(),
  /** Why it cannot be pulled (an archive whose push did not finish), when so. */
  problem: z.string().optional(),
  /** A backup of that name is in this home too. */
  local: z.boolean(),
});

/** One backup in the bucket. */
export type RemoteBackupRow = z.infer<typeof remoteBackupSchema>;

/** The calls of the bucket panel, spread into CALLS. */
export function backupRemoteCalls() {
  return {
    'backups.remote': call(
      none,
      z.object({
        /** False when no backup bucket is set (FOXCTL_BACKUP_S3_BUCKET / FOXCTL_CAS_S3_BUCKET). */
        configured: z.boolean(),
        location: z.string().nullable(),
        /** Why the bucket is not configured, in a sentence naming the settings. */
        reason: z.string().nullable(),
        backups: z.array(remoteBackupSchema),
      }),
      'the backups pushed to the backup bucket, newest first',
    ),
    'backups.push': call(z.object({ name: backupName }).strict(), z.object({ jobId: z.string(), cli: cliLine }), 'pushes a backup to the bucket as a job (a snapshot sends only the packs the bucket lacks)'),
    'backups.pull': call(z.object({ name: backupName }).strict(), z.object({ jobId: z.string(), cli: cliLine }), 'pulls a pushed backup into this home as a job, every byte checked'),
  } as const;
}
