import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import type { EventRecord } from '../../src-preload/contract';
import { exactTime } from '../shared/format';
import { useStudio } from '../store';
import type { EventSort } from './sorts';
import { EVENTS_PAGE, type PendingEvent } from './events-slice';

/** Height of one row in px (fixed, so the virtualizer needs no measuring). */
const ROW = 34;
/** The scroll area never gets shorter than this many rows, however short the window. */
const MIN_ROWS = 10;
/**
 * The most rows the scroll area spans: 17,000,000 px, under the tallest element Firefox lays out
 * (about 17.9 M px; Chromium's limit is twice that). A longer result says how to reach the rest.
 */
export const MAX_SCROLL_ROWS = Math.floor(17_000_000 / ROW);

/** The scroll area's height: down to the window's bottom edge (so the page itself need not scroll), at least MIN_ROWS rows. */
function useFitHeight(el: HTMLElement | null): number {
  const [height, setHeight] = useState(520);
  useLayoutEffect(() => {
    if (!el) return;
    const fit = (): void => setHeight(Math.max(MIN_ROWS * ROW, Math.floor(window.innerHeight - el.getBoundingClientRect().top - 24)));
    fit();
    window.addEventListener('resize', fit);
    const ro = new ResizeObserver(fit);
    ro.observe(document.body);
    return () => {
      window.removeEventListener('resize', fit);
      ro.disconnect();
    };
  }, [el]);
  return height;
}

/** A table line: a row of events.db, an NDJSON event the syncer has not copied yet, or a row of the result still being loaded. */
type Item = { kind: 'row'; r: EventRecord } | { kind: 'pending'; p: PendingEvent } | { kind: 'gap'; index: number };

/** The message of a row: its error message, else data.message, else data.name. */
export function eventMessage(r: { error_message?: string | null; data?: unknown; message?: string }): string {
  if (r.error_message) return r.error_message;
  if (r.message) return r.message;
  const d = r.data as { message?: unknown; name?: unknown } | null | undefined;
  if (d && typeof d.message === 'string') return d.message;
  if (d && typeof d.name === 'string') return d.name;
  return '';
}

/** "2026-11-27 03:09:27.120" in local time, to the millisecond. */
export function shortTime(ts: string): string {
  const d = new Date(ts);
  if (Number.isNaN(d.getTime())) return ts;
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

/** A duration in ms as it reads best: 12 ms, 1.4 s, 2.1 min. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  return `${(ms / 60_000).toFixed(1)} min`;
}

function Status({ status }: { status: string }): ReactNode {
  return <span className={`events-status events-status-${status === 'ok' || status === 'error' || status === 'canceled' ? status : 'other'}`}>{status}</span>;
}

/** A row of the result not loaded yet (the scrollbar was dragged past what is loaded): its place, marked busy. */
function Gap(): ReactNode {
  return (
    <div role="row" aria-busy="true" className="events-row events-row-gap" data-testid="events-gap-row">
      <span role="cell" className="muted">
        loading…
      </span>
    </div>
  );
}

function Line({ item, selected, fresh, onSelect }: { item: Exclude<Item, { kind: 'gap' }>; selected: boolean; fresh: boolean; onSelect: () => void }): ReactNode {
  const pending = item.kind === 'pending';
  const e = item.kind === 'row' ? item.r : item.p.event;
  const data = e.data as { command?: unknown } | null | undefined;
  const command = item.kind === 'row' ? item.r.command : typeof data?.command === 'string' ? data.command : null;
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`events-row${selected ? ' events-row-selected' : ''}${pending ? ' events-row-pending' : ''}${fresh ? ' events-row-fresh' : ''}${e.status === 'error' ? ' events-row-error' : ''}`}
      data-testid={pending ? 'events-pending-row' : 'events-row'}
      data-span={e.span_id}
      data-status={e.status}
      data-duration={e.duration_ms ?? ''}
      tabIndex={pending ? -1 : 0}
      onClick={pending ? undefined : onSelect}
      onKeyDown={(k) => !pending && (k.key === 'Enter' || k.key === ' ') && (k.preventDefault(), onSelect())}
    >
      <span role="cell" className="mono small" title={exactTime(e.ts)}>
        {shortTime(e.ts)}
      </span>
      <span role="cell">
        <Status status={e.status} />
      </span>
      <span role="cell" className="num mono small">
        {formatMs(e.duration_ms)}
      </span>
      <span role="cell" className="mono events-op" title={e.operation}>
        {e.operation}
      </span>
      <span role="cell" title={command ?? undefined}>
        {command ?? <span className="muted">—</span>}
      </span>
      <span role="cell" className="events-msg" title={eventMessage(e as EventRecord)}>
        {pending ? (
          <span className="tag events-unsynced" title={`in ${item.p.file}, not yet copied into events.db by the syncer`}>
            not synced
          </span>
        ) : null}
        {eventMessage(e as EventRecord)}
      </span>
    </div>
  );
}

/** A column header that sorts the table by its key, descending first, and toggles on the next press. */
function SortHeader({ label, keyName, words, sort, onSort, className }: { label: string; keyName: 'time' | 'duration'; words: [desc: string, asc: string]; sort: EventSort; onSort: (next: EventSort) => void; className?: string }): ReactNode {
  const desc = `-${keyName}` as EventSort;
  const state = sort === keyName ? 'ascending' : sort === desc ? 'descending' : 'none';
  const title = state === 'descending' ? `${words[0]} first: click for ${words[1]} first` : state === 'ascending' ? `${words[1]} first: click for ${words[0]} first` : `sort by ${keyName}, ${words[0]} first`;
  return (
    <span role="columnheader" className={className} aria-sort={state}>
      <button type="button" className="events-sort" data-testid={`events-sort-${keyName}`} title={title} onClick={() => onSort(sort === desc ? keyName : desc)}>
        {label} {state === 'ascending' ? '↑' : state === 'descending' ? '↓' : ''}
      </button>
    </span>
  );
}

/**
 * The events table: a virtualized list (only visible rows are in the DOM) as long as the whole
 * result (its count), so the scrollbar tells where one is and drags anywhere. Rows come in keyset
 * pages from the top as the scroll nears their end; a drag past them loads the pages on screen by
 * offset once the scroll rests. With the live tail on, NDJSON events not yet synced come first.
 */
export function EventsTable({ rows, pending }: { rows: EventRecord[]; pending: PendingEvent[] }): ReactNode {
  const cursor = useStudio((s) => s.evCursor);
  const more = useStudio((s) => s.loadMoreEvents);
  const selected = useStudio((s) => s.evSelected);
  const select = useStudio((s) => s.selectEvent);
  const fresh = useStudio((s) => s.evFresh);
  const loadingMore = useStudio((s) => s.requests['events.more']?.loading ?? false);
  const sort = useStudio((s) => s.evSort);
  const load = useStudio((s) => s.loadEvents);
  const total = useStudio((s) => s.evCount);
  const blocks = useStudio((s) => s.evBlocks);
  const loadAt = useStudio((s) => s.loadEventsAt);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollEl, setScrollEl] = useState<HTMLDivElement | null>(null);
  const height = useFitHeight(scrollEl);
  // Pending events newest first, above the synced rows; one already synced is shown once.
  const synced = new Set(rows.slice(0, 400).map((r) => r.span_id));
  const early = pending.filter((p) => !synced.has(p.event.span_id)).reverse();
  const lead = early.length;
  // The whole result when more is to come and its count is known (up to what a scroll area spans).
  const whole = cursor && total !== null ? Math.max(rows.length, total) : rows.length;
  const length = Math.min(whole, Math.max(rows.length, MAX_SCROLL_ROWS));
  const count = lead + length;
  const itemAt = (i: number): Item => {
    if (i < lead) return { kind: 'pending', p: early[i]! };
    const r = i - lead;
    if (r < rows.length) return { kind: 'row', r: rows[r]! };
    const b = blocks[Math.floor(r / EVENTS_PAGE)]?.[r % EVENTS_PAGE];
    return b ? { kind: 'row', r: b } : { kind: 'gap', index: r };
  };
  const virtual = useVirtualizer({ count, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 16 });
  const vitems = virtual.getVirtualItems();
  const firstIndex = vitems[0]?.index ?? 0;
  const lastIndex = vitems[vitems.length - 1]?.index ?? -1;
  const loaded = lead + rows.length;
  // Near the end of the rows paged from the top: the next keyset page.
  useEffect(() => {
    if (cursor && lastIndex >= loaded - 40 && firstIndex < loaded + EVENTS_PAGE) void more();
  }, [cursor, firstIndex, lastIndex, loaded, more]);
  // Far past them (a drag): the pages on screen by offset, once the scroll has rested a moment.
  useEffect(() => {
    if (!cursor || lastIndex < loaded + EVENTS_PAGE) return;
    const from = Math.max(firstIndex - lead, rows.length);
    const to = lastIndex - lead;
    const t = setTimeout(() => {
      for (let r = from; r <= to; r += EVENTS_PAGE) void loadAt(r);
      void loadAt(to);
    }, 120);
    return () => clearTimeout(t);
  }, [cursor, firstIndex, lastIndex, lead, loaded, rows.length, blocks, loadAt]);
  return (
    <div role="table" aria-label="Events" aria-rowcount={count} className="events-table">
      <div role="row" className="events-row events-row-head">
        <SortHeader label="Time" keyName="time" words={['newest', 'oldest']} sort={sort} onSort={(next) => void load(undefined, undefined, next)} />
        <span role="columnheader">Status</span>
        <SortHeader label="Duration" keyName="duration" words={['longest', 'shortest']} sort={sort} onSort={(next) => void load(undefined, undefined, next)} className="num" />
        <span role="columnheader">Operation</span>
        <span role="columnheader">Command</span>
        <span role="columnheader">Message</span>
      </div>
      {count === 0 ? (
        <p className="muted events-none" data-testid="events-none">
          No event matches these filters.
        </p>
      ) : (
        <div
          ref={(el) => {
            scroller.current = el;
            setScrollEl(el);
          }}
          className="events-scroll"
          data-testid="events-list"
          style={{ height: Math.min(count * ROW, height) }}
        >
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {vitems.map((v) => {
              const item = itemAt(v.index);
              const style = { position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` } as const;
              if (item.kind === 'gap') {
                return (
                  <div key={`g${item.index}`} style={style}>
                    <Gap />
                  </div>
                );
              }
              const key = item.kind === 'row' ? `r${item.r.id}` : `p${item.p.file}:${item.p.offset}`;
              const span = item.kind === 'row' ? item.r.span_id : item.p.event.span_id;
              return (
                <div key={key} style={style}>
                  <Line item={item} selected={item.kind === 'row' && selected?.id === item.r.id} fresh={fresh[span] === true} onSelect={() => item.kind === 'row' && select(selected?.id === item.r.id ? null : item.r)} />
                </div>
              );
            })}
          </div>
        </div>
      )}
      {loadingMore ? <div className="events-more small muted">Loading more…</div> : null}
      {whole > length ? (
        <p className="events-more small muted" data-testid="events-beyond">
          The scroll reaches the first {length.toLocaleString()} of {whole.toLocaleString()} events: narrow the filter or the time range to see the rest.
        </p>
      ) : null}
    </div>
  );
}
