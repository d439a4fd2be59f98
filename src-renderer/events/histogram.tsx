import { useRef, useState, type ReactNode } from 'react';
import { formatCount } from '../shared/format';
import type { HistogramBucket } from './events-slice';

const W = 1000;
const H = 120;
const PAD_BOTTOM = 18;

/** A bucket's start as a short label: the time of day, or the date when the range spans days. */
function label(ts: string, spanMs: number): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  if (spanMs > 4 * 86_400_000) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
  if (spanMs > 12 * 3_600_000) return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', ...(spanMs < 600_000 ? { second: '2-digit' } : {}) });
}

/**
 * Events over time as SVG bars, errors stacked in red at the bottom of each bar. Drag across
 * the chart to zoom the time range to the buckets covered (onZoom with their start and end).
 */
export function EventsHistogram({ buckets, onZoom }: { buckets: HistogramBucket[]; onZoom: (since: string, until: string) => void }): ReactNode {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null);
  const [hover, setHover] = useState<number | null>(null);
  if (buckets.length === 0) return <p className="muted events-hist-empty">No events in this range.</p>;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const bw = W / buckets.length;
  const first = buckets[0]!;
  const last = buckets[buckets.length - 1]!;
  const spanMs = Date.parse(last.end) - Date.parse(first.start);
  const indexAt = (clientX: number): number => {
    const r = svg.current?.getBoundingClientRect();
    if (!r || r.width === 0) return 0;
    return Math.min(buckets.length - 1, Math.max(0, Math.floor(((clientX - r.left) / r.width) * buckets.length)));
  };
  const lo = drag ? Math.min(drag.from, drag.to) : -1;
  const hi = drag ? Math.max(drag.from, drag.to) : -1;
  const shown = hover !== null ? buckets[hover] : undefined;
  return (
    <div className="events-hist" data-testid="events-histogram">
      <svg
        ref={svg}
        viewBox={`0 0 ${W} ${H + PAD_BOTTOM}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Events over time, ${buckets.length} buckets; drag to zoom`}
        onMouseDown={(e) => {
          const i = indexAt(e.clientX);
          setDrag({ from: i, to: i });
        }}
        onMouseMove={(e) => {
          const i = indexAt(e.clientX);
          setHover(i);
          if (drag && e.buttons === 1) setDrag({ ...drag, to: i });
        }}
        onMouseLeave={() => {
          setHover(null);
          setDrag(null);
        }}
        onMouseUp={() => {
          if (drag) {
            const a = buckets[Math.min(drag.from, drag.to)]!;
            const b = buckets[Math.max(drag.from, drag.to)]!;
            setDrag(null);
            onZoom(a.start, b.end);
          }
        }}
      >
        {buckets.map((b, i) => {
          const h = (b.count / max) * H;
          const eh = (b.errors / max) * H;
          return (
            <g key={b.start} className={i >= lo && i <= hi ? 'events-hist-sel' : undefined}>
              <rect className="events-hist-hit" x={i * bw} y={0} width={bw} height={H} />
              <rect className="events-hist-ok" x={i * bw + bw * 0.1} y={H - h} width={bw * 0.8} height={Math.max(0, h - eh)} />
              {b.errors > 0 ? <rect className="events-hist-err" x={i * bw + bw * 0.1} y={H - eh} width={bw * 0.8} height={Math.max(eh, 1.5)} /> : null}
            </g>
          );
        })}
        <line x1={0} x2={W} y1={H + 0.5} y2={H + 0.5} className="events-hist-axis" />
      </svg>
      <div className="events-hist-labels small muted">
        <span>{label(first.start, spanMs)}</span>
        <span>{label(buckets[Math.floor(buckets.length / 2)]!.start, spanMs)}</span>
        <span>{label(last.end, spanMs)}</span>
      </div>
      <div className="events-hist-hover small" aria-live="polite">
        {shown ? (
          <>
            {new Date(shown.start).toLocaleString()} – {new Date(shown.end).toLocaleTimeString()}: <strong>{formatCount(shown.count)}</strong> events
            {shown.errors > 0 ? <span className="error-text">, {formatCount(shown.errors)} errors</span> : null}
          </>
        ) : (
          <span className="muted">Drag across the chart to zoom into a time range.</span>
        )}
      </div>
    </div>
  );
}
