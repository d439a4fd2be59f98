import { useEffect, useState, type ReactNode } from 'react';
import type { EventFilterInput } from '../../src-preload/contract';
import { useStudio } from '../store';
import { TIME_PRESETS, type TimePreset } from './events-slice';

/** The text fields of the filter bar: label, filter field, placeholder. */
const FIELDS: [string, 'operation' | 'command' | 'session_id' | 'agent_id' | 'workspace_id', string][] = [
  ['Operation', 'operation', 'llm.call'],
  ['Command', 'command', 'cas put'],
  ['Session', 'session_id', 'sess-0042'],
  ['Agent', 'agent_id', 'agent-coder-1'],
  ['Workspace', 'workspace_id', 'ws-studio-1'],
];

const PRESET_LABELS: Record<(typeof TIME_PRESETS)[number], string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours', '7d': '7 days', all: 'All time' };

/** One value of a filter field as text (a list is comma-joined). */
function text(v: string | string[] | undefined): string {
  return v === undefined ? '' : Array.isArray(v) ? v.join(', ') : v;
}

/** "a, b" -> ["a", "b"]; one value stays a string; nothing is undefined. */
function parseList(s: string): string | string[] | undefined {
  const parts = s.split(',').map((x) => x.trim()).filter(Boolean);
  return parts.length === 0 ? undefined : parts.length === 1 ? parts[0] : parts;
}

/**
 * The filter bar: time presets and a custom range (RFC 3339, a date, or a duration back from
 * now, as the CLI takes them), status, the text fields and free text. Applied on submit; the
 * fields follow the store when a facet or the histogram changes the filter.
 */
export function EventsFilters(): ReactNode {
  const filter = useStudio((s) => s.evFilter);
  const preset = useStudio((s) => s.evPreset);
  const load = useStudio((s) => s.loadEvents);
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [custom, setCustom] = useState(preset === 'custom');
  useEffect(() => {
    const d: Record<string, string> = { since: preset === 'custom' ? text(filter.since as string | undefined) : '', until: preset === 'custom' ? text(filter.until as string | undefined) : '', text: filter.text ?? '' };
    for (const [, field] of FIELDS) d[field] = text(filter[field]);
    setDraft(d);
    setCustom(preset === 'custom');
  }, [filter, preset]);

  const build = (patch: Partial<EventFilterInput> = {}, nextPreset: TimePreset = preset): EventFilterInput => {
    const f: EventFilterInput = { ...filter };
    for (const [, field] of FIELDS) f[field] = parseList(draft[field] ?? '');
    f.text = (draft.text ?? '').trim() || undefined;
    if (nextPreset === 'custom') {
      f.since = (draft.since ?? '').trim() || undefined;
      f.until = (draft.until ?? '').trim() || undefined;
    }
    return { ...f, ...patch };
  };
  const choosePreset = (p: (typeof TIME_PRESETS)[number]): void => {
    setCustom(false);
    void load(build({ since: p === 'all' ? undefined : p, until: undefined }, p), p);
  };
  const field = (name: string, label: string, placeholder: string, className = ''): ReactNode => (
    <label className={`events-field ${className}`}>
      <span>{label}</span>
      <input className="input" aria-label={label} placeholder={placeholder} value={draft[name] ?? ''} onChange={(e) => setDraft({ ...draft, [name]: e.target.value })} />
    </label>
  );
  return (
    <form
      className="events-filters"
      data-testid="events-filters"
      onSubmit={(e) => {
        e.preventDefault();
        void load(build({}, custom ? 'custom' : preset), custom ? 'custom' : preset);
      }}
    >
      <div className="events-filter-row">
        <div className="events-presets" role="group" aria-label="Time range">
          {TIME_PRESETS.map((p) => (
            <button key={p} type="button" className={`events-preset${!custom && preset === p ? ' events-preset-on' : ''}`} aria-pressed={!custom && preset === p} onClick={() => choosePreset(p)}>
              {PRESET_LABELS[p]}
            </button>
          ))}
          <button type="button" className={`events-preset${custom ? ' events-preset-on' : ''}`} aria-pressed={custom} onClick={() => setCustom(true)}>
            Custom
          </button>
        </div>
        {custom ? (
          <>
            {field('since', 'From', '2026-11-26T09:00:00Z or 3h', 'events-field-time')}
            {field('until', 'To', '2026-11-26T12:00:00Z (empty: now)', 'events-field-time')}
          </>
        ) : null}
        {field('text', 'Search', 'words in name, message, error (word* for a prefix)', 'events-field-text')}
      </div>
      <div className="events-filter-row">
        <label className="events-field">
          <span>Status</span>
          <select
            className="input"
            aria-label="Status"
            value={typeof filter.status === 'string' ? filter.status : ''}
            onChange={(e) => void load(build({ status: e.target.value || undefined }, custom ? 'custom' : preset), custom ? 'custom' : preset)}
          >
            <option value="">Any status</option>
            <option value="ok">ok</option>
            <option value="error">error</option>
            <option value="canceled">canceled</option>
          </select>
        </label>
        {FIELDS.map(([label, name, placeholder]) => field(name, label, placeholder))}
        <button type="submit" className="btn btn-primary events-apply">
          Apply
        </button>
        <button type="button" className="btn btn-quiet" onClick={() => void load(preset === 'custom' ? { since: '24h' } : filter.since ? { since: filter.since } : {}, preset === 'custom' ? '24h' : preset)}>
          Clear
        </button>
      </div>
    </form>
  );
}
