import { useEffect, useState, type ReactNode } from 'react';
import type { EventRecord, TraceNodeOutput } from '../../src-preload/contract';
import { exactTime } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { ErrorNotice } from '../shared/error-notice';
import { formatMs } from './table';
import { EventsTrace } from './trace';

/** The columns shown as facts, in order (data is shown apart, pretty-printed). */
const FIELDS: (keyof EventRecord)[] = [
  'ts', 'status', 'duration_ms', 'operation', 'command', 'service', 'version', 'component', 'subtype', 'session_id', 'agent_id', 'workspace_id',
  'job_id', 'trace_id', 'span_id', 'parent_id', 'error_type', 'error_code', 'error_message', 'retriable', 'id', 'created_at',
];

function findSpan(nodes: TraceNodeOutput[], span: string): EventRecord | null {
  for (const n of nodes) {
    if (n.event.span_id === span) return n.event;
    const hit = findSpan(n.children, span);
    if (hit) return hit;
  }
  return null;
}

/** Fields whose value filters the table when clicked (the filter's own names). */
const FILTERABLE = ['status', 'operation', 'command', 'session_id', 'agent_id', 'workspace_id', 'trace_id'] as const;

/** One of FILTERABLE. */
type FilterableField = (typeof FILTERABLE)[number];

function isFilterable(f: keyof EventRecord): f is FilterableField {
  return (FILTERABLE as readonly string[]).includes(f);
}

function value(field: keyof EventRecord, e: EventRecord, filterBy: (field: FilterableField, value: string) => void): ReactNode {
  const v = e[field];
  if (v === null || v === undefined || v === '') return <span className="muted">—</span>;
  if (isFilterable(field)) {
    return (
      <button type="button" className="events-filter-value" title={`show only events with ${field} = ${String(v)}`} data-testid={`events-filter-by-${field}`} onClick={() => filterBy(field, String(v))}>
        {field === 'status' ? <span className={`events-status events-status-${String(v)}`}>{String(v)}</span> : String(v)}
      </button>
    );
  }
  if (field === 'ts') return <span title={exactTime(e.ts)}>{e.ts}</span>;
  if (field === 'duration_ms') return typeof v === 'number' && v >= 1000 ? `${formatMs(v)} (${v} ms)` : formatMs(typeof v === 'number' ? v : null);
  return String(v);
}

/**
 * The selected event in a side panel: every field, `data` pretty-printed, Copy as JSON, and
 * Show trace, which puts the trace's waterfall on top (clicking a span shows that span below).
 */
export function EventsDetail({ event }: { event: EventRecord }): ReactNode {
  const select = useStudio((s) => s.selectEvent);
  const trace = useStudio((s) => s.evTrace);
  const openTrace = useStudio((s) => s.openTrace);
  const closeTrace = useStudio((s) => s.closeTrace);
  const traceReq = useStudio((s) => s.requests['events.trace'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const load = useStudio((s) => s.loadEvents);
  const [copied, setCopied] = useState(false);
  // Like Datasette: a value narrows the current filter to it (and the URL, so Back undoes it).
  const filterBy = (field: FilterableField, v: string): void => {
    const { evFilter, evPreset } = useStudio.getState();
    void load({ ...evFilter, [field]: v }, evPreset);
  };
  const showingTrace = trace !== null && trace.trace_id === event.trace_id;
  const close = (): void => {
    closeTrace();
    select(null);
  };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key !== 'Escape') return;
      useStudio.getState().closeTrace();
      useStudio.getState().selectEvent(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <aside className={`drawer${showingTrace ? ' drawer-wide' : ''}`} aria-label="Event detail" data-testid="events-detail" data-span={event.span_id}>
      <header className="drawer-head">
        <h2>
          {showingTrace ? 'Trace' : 'Event'} <span className="mono small muted">{showingTrace ? event.trace_id : ''}</span>
        </h2>
        <div className="drawer-actions">
          {showingTrace ? (
            <button type="button" className="btn" onClick={closeTrace}>
              Hide trace
            </button>
          ) : (
            <button type="button" className="btn btn-primary" onClick={() => void openTrace(event.trace_id)} disabled={traceReq.loading}>
              {traceReq.loading ? 'Loading trace…' : 'Show trace'}
            </button>
          )}
          <button
            type="button"
            className="btn"
            onClick={() => {
              void navigator.clipboard?.writeText(JSON.stringify(event, null, 2)).then(() => setCopied(true));
              setTimeout(() => setCopied(false), 1500);
            }}
          >
            {copied ? 'Copied' : 'Copy as JSON'}
          </button>
          <button type="button" className="btn btn-quiet" aria-label="Close detail" onClick={close}>
            ✕
          </button>
        </div>
      </header>
      {traceReq.error ? <ErrorNotice error={traceReq.error} onDismiss={() => clear('events.trace')} /> : null}
      {showingTrace ? (
        <EventsTrace
          trace={trace}
          selectedSpan={event.span_id}
          onSelect={(span) => {
            const e = findSpan(trace.roots, span);
            if (e) select(e);
          }}
        />
      ) : null}
      <div className="drawer-body">
        {showingTrace ? <h3 className="events-span-title mono">{event.operation}</h3> : null}
        <dl className="events-facts">
          {FIELDS.map((f) => (
            <div key={f}>
              <dt>{f}</dt>
              <dd className={f.endsWith('_id') || f === 'ts' ? 'mono' : undefined}>{value(f, event, filterBy)}</dd>
            </div>
          ))}
        </dl>
        <h3 className="events-subhead">data</h3>
        <pre className="events-json" data-testid="events-data">
          {event.data === null || event.data === undefined ? 'null' : typeof event.data === 'string' ? event.data : JSON.stringify(event.data, null, 2)}
        </pre>
      </div>
    </aside>
  );
}
