import type { EventFilterInput } from '../../src-preload/contract';
import { TIME_PRESETS, type TimePreset } from './events-slice';

/** Filter fields that may hold several values (repeated in the query string: `status=ok&status=error`). */
const LIST_FIELDS = ['operation', 'status', 'command', 'service', 'component', 'session_id', 'agent_id', 'workspace_id', 'trace_id'] as const;

import { EVENT_SORTS, type EventSort } from './sorts';

export { EVENT_SORTS, sortQuery, type EventSort } from './sorts';

/** What the Events view's URL holds: the filter, the preset it came from, and the sort. */
export interface EventsUrlState {
  filter: EventFilterInput;
  preset: TimePreset;
  sort: EventSort;
}

/** The preset a filter's time bounds read as: a preset duration, no bound (all time), or custom. */
export function presetOf(filter: EventFilterInput): TimePreset {
  if (filter.until === undefined && filter.since === undefined) return 'all';
  if (filter.until === undefined && typeof filter.since === 'string' && (TIME_PRESETS as readonly string[]).includes(filter.since)) return filter.since as TimePreset;
  return 'custom';
}

/**
 * The Events view's state as query parameters, so a reload, back/forward and a bookmark
 * ("errors in the last hour": `?view=events&since=1h&status=error`) give the same view.
 * Keys are the CLI's filter names; the default sort (newest first) is left out.
 */
export function eventsToParams(state: EventsUrlState, params = new URLSearchParams()): URLSearchParams {
  const f = state.filter;
  if (f.since !== undefined) params.set('since', String(f.since));
  if (f.until !== undefined) params.set('until', String(f.until));
  for (const key of LIST_FIELDS) {
    const v = f[key];
    for (const one of v === undefined ? [] : Array.isArray(v) ? v : [v]) params.append(key, one);
  }
  if (f.min_duration_ms !== undefined) params.set('min_duration_ms', String(f.min_duration_ms));
  if (f.text) params.set('text', f.text);
  if (state.sort !== '-time') params.set('sort', state.sort);
  return params;
}

/**
 * Reads the Events view's state back from query parameters. Values the engine would refuse
 * (a bad time, a negative duration) are kept as typed: the view then shows the engine's message
 * instead of silently dropping part of a bookmark.
 */
export function eventsFromParams(params: URLSearchParams): EventsUrlState {
  const filter: EventFilterInput = {};
  const since = params.get('since');
  const until = params.get('until');
  if (since) filter.since = since;
  if (until) filter.until = until;
  for (const key of LIST_FIELDS) {
    const all = params.getAll(key).filter((v) => v !== '');
    if (all.length === 1) filter[key] = all[0];
    else if (all.length > 1) filter[key] = all;
  }
  const min = params.get('min_duration_ms');
  if (min !== null && min !== '' && Number.isFinite(Number(min))) filter.min_duration_ms = Number(min);
  const text = params.get('text');
  if (text) filter.text = text;
  const sort = params.get('sort');
  return { filter, preset: presetOf(filter), sort: (EVENT_SORTS as readonly string[]).includes(sort ?? '') ? (sort as EventSort) : '-time' };
}
