// Test support: damages a cas.db (sqlite or turso backend) from another process, the sqlite3
// CLI, the way it happens outside the app: SQL typed by hand, or the Go foxctl's own statements.
import { spawnSync } from 'node:child_process';
import type { CasDamageHooks } from './conformance.js';
import { isHex } from './digest.js';

/** Runs SQL in the sqlite3 CLI against `file` (waits for locks like any other process would). */
export function sqlite3(file: string, sql: string): void {
  const r = spawnSync('/usr/bin/sqlite3', ['-cmd', '.timeout 5000', file, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 failed (${r.status}): ${r.stderr}`);
}

/**
 * The damage hooks of the conformance suite for a cas.db at `file`. `metaApart`: the backend
 * keeps an object's bytes in chunk tables apart from its cas_objects row (turso); the sqlite
 * backend files every object whole in the row.
 */
export function sqliteDamage(file: string, opts: { metaApart: boolean }): CasDamageHooks {
  const d = (hex: string): string => {
    if (!isHex(hex)) throw new Error(`not a hex digest: ${hex}`);
    return `'sha256:${hex}'`;
  };
  const blob = (hex: string): string => `(SELECT blob_id FROM studio_cas_blobs WHERE digest = ${d(hex)})`;
  return {
    // Content and chunks deleted by hand; the row stays (as a copy of cas_objects alone would be).
    dropBytes: async (hex) =>
      sqlite3(file, `BEGIN; UPDATE cas_objects SET content = X'' WHERE digest = ${d(hex)}; DELETE FROM studio_cas_chunks WHERE blob_id = ${blob(hex)}; DELETE FROM studio_cas_blobs WHERE digest = ${d(hex)}; COMMIT;`),
    truncate: async (hex) =>
      sqlite3(
        file,
        `BEGIN; UPDATE cas_objects SET content = substr(content, 1, 1000) WHERE digest = ${d(hex)} AND length(content) > 1000; DELETE FROM studio_cas_chunks WHERE blob_id = ${blob(hex)} AND seq = (SELECT max(seq) FROM studio_cas_chunks WHERE blob_id = ${blob(hex)}); COMMIT;`,
      ),
    // The Go foxctl's SQLiteStore.Remove, verbatim: it knows only cas_objects, so chunks stay behind.
    dropMeta: async (hex) => sqlite3(file, `DELETE FROM cas_objects WHERE digest = ${d(hex)}`),
    removeByHand: async (hex) => sqlite3(file, `DELETE FROM cas_objects WHERE digest = ${d(hex)}`),
    pinsApart: false,
    metaApart: opts.metaApart,
    // Removals are one transaction: no put can be half done.
    ageRecords: async () => undefined,
  };
}
