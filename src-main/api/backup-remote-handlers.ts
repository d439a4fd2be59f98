import type { Engine } from '../engine/engine.js';
import { isFoxError } from '../engine/errors.js';
import type { Handlers } from './handlers.js';

/** The calls of the Backups view's bucket panel. */
export type BackupRemoteCallName = 'backups.remote' | 'backups.push' | 'backups.pull';

/** The S3 client (and the AWS SDK) loads only when the bucket panel is used. */
const remoteModule = () => import('../engine/backup/remote.js');

/**
 * Handlers of the bucket panel: the bucket's backups (a bucket not configured is an answer that
 * says which settings are missing, not an error), and push / pull as jobs with progress in bytes,
 * each with the `foxctl backup` line that does the same.
 */
export function createBackupRemoteHandlers(engine: Engine): Pick<Handlers, BackupRemoteCallName> {
  return {
    'backups.remote': async (_input, { signal }) => {
      const { openRemoteBackups } = await remoteModule();
      let remote: ReturnType<typeof openRemoteBackups>;
      try {
        remote = openRemoteBackups(engine.config);
      } catch (err) {
        if (isFoxError(err, 'INVALID_INPUT')) return { configured: false, location: null, reason: err.message, backups: [] };
        throw err;
      }
      try {
        const [rows, local] = await Promise.all([remote.list({ signal }), engine.backups.list({ signal })]);
        const here = new Set(local.map((b) => b.name));
        return {
          configured: true,
          location: remote.location,
          reason: null,
          backups: rows.map((b) => ({ ...b, format: b.format ?? 'tar', local: here.has(b.name) })),
        };
      } finally {
        remote.close();
      }
    },
    'backups.push': async (input) => {
      const { startBackupPush } = await remoteModule();
      return { jobId: startBackupPush(engine, input.name).id, cli: `foxctl backup push ${input.name}` };
    },
    'backups.pull': async (input) => {
      const { startBackupPull } = await remoteModule();
      return { jobId: startBackupPull(engine, input.name).id, cli: `foxctl backup pull ${input.name}` };
    },
  };
}
