import fs from 'node:fs';
import os from 'node:os';
import { throwIfAborted } from '../errors.js';
import type { ProgressSink } from './create.js';
import { destinationOf } from './entry-paths.js';
import { makeStagingDir } from './fs-util.js';
import type { BackupSource } from './backup-source.js';
import { restoreBackup, type RestoreHost } from './restore.js';
import type { RehearseDiff, RehearseResult } from './types.js';
import { integrityOf } from './verify.js';
import { tableCounts } from './table-counts.js';

/** Rehearses the restore of an archive (see rehearseBackup). */
export async function rehearseArchive(host: RestoreHost, name: string, file: string, sink: ProgressSink): Promise<RehearseResult> {
  return rehearseBackup(host, { kind: 'tar', name, path: file }, sink);
}

/**
 * Rehearses a restore: restores the whole backup (archive or snapshot) into a throwaway home (checksums verified on
 * the way), runs `PRAGMA integrity_check` on every database, and compares each table's row
 * count with the live store. Differences are reported, not failures: the live stores have
 * usually moved on since the backup. The throwaway home is removed afterwards.
 */
export async function rehearseBackup(host: RestoreHost, source: BackupSource, sink: ProgressSink): Promise<RehearseResult> {
  const name = source.name;
  const started = Date.now();
  const temp = makeStagingDir(os.tmpdir(), 'rehearse');
  try {
    const restored = await restoreBackup(host, source, { target: temp, force: true, durable: false, checkDatabases: false }, sink);
    const result: RehearseResult = { name, ok: true, restored_files: restored.created + restored.replaced, databases: [], differences: [], duration_ms: 0 };
    for (const f of restored.files) {
      if (!f.path.endsWith('.db') || f.action !== 'created') continue;
      throwIfAborted(sink.signal, 'backup rehearse');
      sink.progress?.(1, 1, `integrity_check ${f.path}`);
      const integrity = integrityOf(f.destination);
      const counts = tableCounts(f.destination) ?? new Map<string, number>();
      const live = tableCounts(destinationOf(host.config, f.path));
      result.databases.push({ path: f.path, ...(f.store ? { store: f.store } : {}), integrity, tables: counts.size, rows: [...counts.values()].reduce((a, b) => a + b, 0) });
      if (integrity !== 'ok') result.ok = false;
      const tables = new Set([...counts.keys(), ...(live?.keys() ?? [])]);
      for (const t of [...tables].sort()) {
        const b = counts.get(t) ?? null;
        const l = live === undefined ? null : (live.get(t) ?? null);
        if (b !== l) {
          const d: RehearseDiff = { store: f.store ?? '', path: f.path, table: t, backup_rows: b, live_rows: l };
          result.differences.push(d);
        }
      }
    }
    result.duration_ms = Date.now() - started;
    return result;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}
