import { useEffect, useState, type ReactNode } from 'react';
import type { EventFilterInput } from '../../src-preload/contract';
import { Icon } from '../shared/icons';
import { useStudio } from '../store';
import { TIME_PRESETS, type TimePreset } from './events-slice';

/** The text fields of the filter bar: label, filter field, placeholder (a hint, never a value-like example). */
const FIELDS: [string, 'operation' | 'command' | 'session_id' | 'agent_id' | 'workspace_id', string][] = [
  ['Operation', 'operation', 'any'],
  ['Command', 'command', 'any'],
  ['Session', 'session_id', 'any'],
  ['Agent', 'agent_id', 'any'],
  ['Workspace', 'workspace_id', 'any'],
];

const PRESET_LABELS: Record<(typeof TIME_PRESETS)[number], string> = { '15m': '15 min', '1h': '1 hour', '24h': '24 hours', '7d': '7 days', all: 'All time' };

/** One value of a filter field as text (a list is comma-joined). */
function text(v: string | string[] | undefined): string {
  return v === undefined ? '' : Array.isArray(v) ? v.join(', ') : v;
}

/** A time bound as a datetime-local value (local time, to the second); '' when it is not a point in time (a duration such as 3h). */
export function toLocalInput(v: string | number | undefined): string {
  if (v === undefined || (typeof v === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(v))) return '';
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A datetime-local value (YYYY-MM-DDTHH:MM[:SS], local time) as the RFC 3339 UTC time the engine and CLI take. */
export function fromLocalInput(v: string): string | undefined {
  const s = v.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s)) return s === '' ? undefined : s;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? s : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
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
    const d: Record<string, string> = { since: preset === 'custom' ? toLocalInput(filter.since) : '', until: preset === 'custom' ? toLocalInput(filter.until) : '', text: filter.text ?? '' };
    for (const [, field] of FIELDS) d[field] = text(filter[field]);
    setDraft(d);
    setCustom(preset === 'custom');
  }, [filter, preset]);

  const build = (patch: Partial<EventFilterInput> = {}, nextPreset: TimePreset = preset): EventFilterInput => {
    const f: EventFilterInput = { ...filter };
    for (const [, field] of FIELDS) f[field] = parseList(draft[field] ?? '');
    f.text = (draft.text ?? '').trim() || undefined;
    if (nextPreset === 'custom') {
      f.since = fromLocalInput(draft.since ?? '');
      f.until = fromLocalInput(draft.until ?? '');
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
  // Typed by hand as YYYY-MM-DDTHH:MM[:SS] (local time), or picked with the browser's own
  // date-time picker: Chromium's datetime-local takes typed digits only in the locale's order.
  const timeField = (name: 'since' | 'until', label: string, hint: string): ReactNode => {
    const v = draft[name] ?? '';
    const bad = v.trim() !== '' && fromLocalInput(v) === v.trim();
    return (
      <div className="events-field events-field-time">
        <span>{label}</span>
        <div className="events-time">
          <input
            className="input mono"
            aria-label={label}
            aria-invalid={bad}
            placeholder="YYYY-MM-DDTHH:MM"
            title={hint}
            value={v}
            onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
          />
          <input
            type="datetime-local"
            step={1}
            className="events-time-picker"
            tabIndex={-1}
            aria-hidden="true"
            value={/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v) ? v : ''}
            onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
            data-testid={`events-${name}-picker`}
          />
          <button
            type="button"
            className="btn btn-quiet events-time-open"
            aria-label={name === 'since' ? 'Open the date-time picker for the start' : 'Open the date-time picker for the end'}
            onClick={(e) => (e.currentTarget.previousElementSibling as HTMLInputElement | null)?.showPicker?.()}
          >
            <Icon name="calendar" size={16} />
          </button>
        </div>
        {bad ? <span className="events-time-bad error-text">use YYYY-MM-DDTHH:MM</span> : null}
      </div>
    );
  };
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
            {timeField('since', 'From', 'local time; empty: from the first event')}
            {timeField('until', 'To', 'local time; empty: until now')}
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
