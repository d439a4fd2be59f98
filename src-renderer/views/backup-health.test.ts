import { describe, expect, it } from 'vitest';
import type { BackupSummary } from '../../src-preload/contract';
import { backupHealth } from './backup-health';

const now = Date.parse('2026-11-27T12:00:00Z');
const summary = (created: string, missing: string[] = []): BackupSummary => ({
  count: 1,
  newest: { name: 'n', file: 'f', path: '/p', created_at: created, size: 1, components: [], stores: [], skipped_stores: [], files: 1, total_size: 1, go_format: false },
  missingCritical: missing,
});

describe('backupHealth', () => {
  it('warns when there is no backup, when the newest is over a day old, or lacks a sync-critical store', () => {
    expect(backupHealth({ count: 0, newest: null, missingCritical: [] }, now)).toMatchObject({ never: true, warn: true });
    expect(backupHealth(summary('2026-11-27T01:00:00Z'), now)).toEqual({ never: false, old: false, missing: [], warn: false });
    expect(backupHealth(summary('2026-11-26T11:59:00Z'), now)).toMatchObject({ old: true, warn: true });
    expect(backupHealth(summary('2026-11-27T11:00:00Z', ['MEMORY']), now)).toMatchObject({ old: false, missing: ['MEMORY'], warn: true });
    // An unreadable time is treated as stale, not as fresh.
    expect(backupHealth(summary('garbage'), now)).toMatchObject({ old: true, warn: true });
  });
});
