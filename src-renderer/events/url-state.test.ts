import { describe, expect, it } from 'vitest';
import { eventsFromParams, eventsToParams, presetOf, sortQuery } from './url-state';

describe('the Events view in the URL', () => {
  it('writes a bookmark for "errors in the last hour" and reads the same view back', () => {
    const params = eventsToParams({ filter: { since: '1h', status: 'error' }, preset: '1h', sort: '-time' });
    expect(params.toString()).toBe('since=1h&status=error');
    expect(eventsFromParams(new URLSearchParams('since=1h&status=error'))).toEqual({ filter: { since: '1h', status: 'error' }, preset: '1h', sort: '-time' });
  });

  it('keeps lists, custom ranges, free text and the sort through a round trip', () => {
    const state = {
      filter: { since: '2026-11-26T09:00:00Z', until: '2026-11-26T12:00:00Z', operation: ['llm.call', 'cas.put'], session_id: 'sess 1&2', min_duration_ms: 250, text: 'timeout*' },
      preset: 'custom' as const,
      sort: 'time' as const,
    };
    const search = eventsToParams(state).toString();
    expect(eventsFromParams(new URLSearchParams(search))).toEqual(state);
  });

  it('reads the time bounds as the preset they are, or as all time when there are none', () => {
    expect(presetOf({})).toBe('all');
    expect(presetOf({ since: '7d' })).toBe('7d');
    expect(presetOf({ since: '3h' })).toBe('custom');
    expect(presetOf({ since: '1h', until: '2026-11-26T12:00:00Z' })).toBe('custom');
  });

  it('drops an unknown sort and a duration that is not a number, not the rest of the bookmark', () => {
    expect(eventsFromParams(new URLSearchParams('sort=sideways&min_duration_ms=abc&status=ok'))).toEqual({ filter: { status: 'ok' }, preset: 'all', sort: '-time' });
  });

  it('keeps a duration sort and says what events.query takes for each sort', () => {
    for (const sort of ['-time', 'time', '-duration', 'duration'] as const) {
      expect(eventsFromParams(eventsToParams({ filter: {}, preset: 'all', sort })).sort).toBe(sort);
    }
    expect(sortQuery('-duration')).toEqual({ order: 'desc', sort: 'duration' });
    expect(sortQuery('time')).toEqual({ order: 'asc', sort: 'time' });
  });
});
