import { describe, expect, it } from 'vitest';
import { formatAmount, formatBytes, formatRate, formatSeconds, timeAgo } from './format';

describe('format', () => {
  it('reads sizes, rates and durations at a glance', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(386 * 1024 * 1024)).toBe('386 MB');
    expect(formatBytes(-1)).toBe('—');
    expect(formatRate(52 * 1024 * 1024, 'bytes')).toBe('52.0 MB/s');
    expect(formatRate(3.25, 'objects')).toBe('3.3 objects/s');
    expect(formatRate(null, 'bytes')).toBe('—');
    expect(formatAmount(1200, 'rows')).toBe('1,200 rows');
    expect(formatSeconds(0.2)).toBe('< 1 s');
    expect(formatSeconds(125)).toBe('2 min');
    expect(formatSeconds(3 * 3600 + 600)).toBe('3 h 10 min');
  });

  it('says how long ago, and keeps an unparsable time as it is', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(timeAgo('2026-11-27T11:59:50.123456789Z', now)).toBe('just now');
    expect(timeAgo('2026-11-27T11:00:00Z', now)).toBe('1 hour ago');
    expect(timeAgo('2026-11-24T12:00:00Z', now)).toBe('3 days ago');
    expect(timeAgo('yesterday', now)).toBe('yesterday');
  });
});
