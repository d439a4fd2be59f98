import { describe, expect, it } from 'vitest';
import { nowRfc3339, parseRfc3339 } from './time.js';

describe('nowRfc3339', () => {
  it('successive calls sort in call order (the monotonic clock and the wall clock cross milliseconds apart)', () => {
    let last = '';
    let inversions = 0;
    for (let i = 0; i < 200_000; i++) {
      const ts = nowRfc3339();
      if (ts <= last) inversions++;
      last = ts;
    }
    expect(inversions).toBe(0);
    expect(last).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/);
    expect(Math.abs(parseRfc3339(last) - Date.now())).toBeLessThan(5_000);
  });

  it('formats a given date at its millisecond, with sub-millisecond digits', () => {
    expect(nowRfc3339(new Date('2026-11-27T03:09:27.123Z'))).toMatch(/^2026-11-27T03:09:27\.123\d{6}Z$/);
  });
});
