import { describe, expect, it } from 'vitest';
import type { Backup, BackupSummary } from '../../src-preload/contract';
import { backupHealth } from './health';

const now = Date.parse('2026-11-27T12:00:00Z');
const newest = (created: string, extra: Partial<Backup> = {}): Backup => ({
  name: 'n', format: 'tar', file: 'f', path: '/p', created_at: created, size: 1, added_bytes: 1, referenced_bytes: 1, components: [], stores: [], skipped_stores: [], files: 1, total_size: 1, go_format: false,
  status: 'ok', problems: [], verified: null, clean: true, ...extra,
});
const summary = (created: string, missing: string[] = [], extra: Partial<Backup> = {}): BackupSummary => ({ count: 1, newest: newest(created, extra), lastClean: null, missingCritical: missing });

describe('backupHealth', () => {
  it('warns when there is no backup, when the newest is over a day old, or lacks a sync-critical store', () => {
    expect(backupHealth({ count: 0, newest: null, lastClean: null, missingCritical: [] }, now)).toMatchObject({ never: true, warn: true });
    expect(backupHealth(summary('2026-11-27T01:00:00Z'), now)).toEqual({ never: false, old: false, missing: [], warn: false, bad: false, problems: [] });
    expect(backupHealth(summary('2026-11-26T11:59:00Z'), now)).toMatchObject({ old: true, warn: true });
    expect(backupHealth(summary('2026-11-27T11:00:00Z', ['MEMORY']), now)).toMatchObject({ old: false, missing: ['MEMORY'], warn: true });
    // An unreadable time is treated as stale, not as fresh.
    expect(backupHealth(summary('garbage'), now)).toMatchObject({ old: true, warn: true });
  });

  it('goes red and says what is wrong when the newest backup has problems, is damaged or failed a verify', () => {
    const hurt = backupHealth(
      summary('2026-11-27T11:00:00Z', [], {
        status: 'completed_with_problems',
        clean: false,
        problems: [
          { kind: 'store', store: 'TRAJECTORY', path: 'storage/trajectory.db', detail: 'PRAGMA quick_check: Page 62: btreeInitPage() returns error code 11' },
          { kind: 'cas_object', path: 'cas/sha256/ab', digest: 'sha256:ab', detail: 'its bytes hash to sha256:cd' },
        ],
      }),
      now,
    );
    expect(hurt).toMatchObject({ bad: true, warn: true, problems: ['Store TRAJECTORY: PRAGMA quick_check: Page 62: btreeInitPage() returns error code 11', 'CAS object sha256:ab: its bytes hash to sha256:cd'] });
    expect(backupHealth(summary('2026-11-27T11:00:00Z', [], { status: 'damaged', clean: false, problem: 'truncated at entry storage/memory.db' }), now)).toMatchObject({ bad: true, problems: ['The archive cannot be read: truncated at entry storage/memory.db'] });
    expect(backupHealth(summary('2026-11-27T11:00:00Z', [], { clean: false, verified: { at: '2026-11-27T11:30:00Z', ok: false } }), now)).toMatchObject({ bad: true, problems: ['A verify found the archive damaged.'] });
  });
});
