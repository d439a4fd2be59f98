import type { ReactNode } from 'react';
import type { TraceNodeOutput, TraceTreeOutput } from '../../src-preload/contract';
import { formatCount } from '../shared/format';
import { formatMs } from './table';

/** The spans of a tree depth first, as the waterfall lists them. */
function flatten(nodes: TraceNodeOutput[], out: TraceNodeOutput[] = []): TraceNodeOutput[] {
  for (const n of nodes) {
    out.push(n);
    flatten(n.children, out);
  }
  return out;
}

/**
 * A trace as a waterfall: one line per span, indented by depth, with a bar placed at the span's
 * start and as long as its duration on the trace's time axis; failed spans in red.
 */
export function EventsTrace({ trace, selectedSpan, onSelect }: { trace: TraceTreeOutput; selectedSpan: string | null; onSelect: (spanId: string) => void }): ReactNode {
  const spans = flatten(trace.roots);
  const start = Date.parse(trace.start);
  const total = Math.max(1, trace.duration_ms);
  return (
    <div className="events-trace" data-testid="events-trace" data-trace={trace.trace_id}>
      <p className="small muted events-trace-summary">
        {formatCount(trace.spans)} spans · {formatMs(trace.duration_ms)} · {trace.errors > 0 ? <span className="error-text">{trace.errors} failed</span> : 'no errors'}
        {trace.truncated ? ' · truncated at 10,000 spans' : ''}
      </p>
      <div className="events-waterfall" role="list">
        <div className="events-wf-axis small muted" aria-hidden="true">
          <span>0</span>
          <span>{formatMs(total / 2)}</span>
          <span>{formatMs(total)}</span>
        </div>
        {spans.map((n) => {
          const e = n.event;
          const offset = Math.max(0, Date.parse(e.ts) - start);
          const left = Math.min(100, (offset / total) * 100);
          const width = Math.max(0.4, Math.min(100 - left, ((e.duration_ms ?? 0) / total) * 100));
          return (
            <button
              type="button"
              role="listitem"
              key={e.span_id}
              className={`events-wf-row${e.status !== 'ok' ? ' events-wf-failed' : ''}${selectedSpan === e.span_id ? ' events-wf-selected' : ''}`}
              data-testid="events-span"
              data-span={e.span_id}
              onClick={() => onSelect(e.span_id)}
              title={`${e.operation} · ${formatMs(e.duration_ms)} · starts at +${formatMs(offset)}${e.error_message ? ` · ${e.error_message}` : ''}`}
            >
              <span className="events-wf-name" style={{ paddingLeft: `${n.depth * 14}px` }}>
                <span className="mono">{e.operation}</span>
              </span>
              <span className="events-wf-track">
                <span className={`events-wf-bar events-wf-${e.status}`} style={{ left: `${left}%`, width: `${width}%` }} />
              </span>
              <span className="events-wf-dur mono small">{formatMs(e.duration_ms)}</span>
            </button>
          );
        })}
      </div>
    </div>
  );
}
