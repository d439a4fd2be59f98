import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { CAS_SORTS, type CasObject } from '../../src-preload/contract';
import { exactTime, formatBytes, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import type { CasFilter } from './cas-slice';
import { ArtifactKindCell, isArtifact } from './artifact';
import { casNames, NAME_TAG } from './names';

/** Height of one row in px (fixed, so the virtualizer needs no measuring). */
const ROW = 44;

/** The list's scroll area grows with its rows up to this height (px), then scrolls. */
const MAX_HEIGHT = 440;

const SORT_LABELS: Record<(typeof CAS_SORTS)[number], string> = {
  '-created': 'Newest first',
  created: 'Oldest first',
  '-size': 'Largest first',
  size: 'Smallest first',
  digest: 'By digest',
};

/** `sha256:` + the first 12 hex digits: enough to tell objects apart at a glance. */
export function shortDigest(digest: string): string {
  return `${digest.slice(7, 19)}…`;
}

function Row({ o, selected, corrupt, onSelect }: { o: CasObject; selected: boolean; corrupt: boolean; onSelect: () => void }): ReactNode {
  const names = casNames(o.tags);
  const copy = (
    <button
      type="button"
      className="link small cas-copy"
      aria-label={`Copy ${o.digest}`}
      onClick={(e) => {
        e.stopPropagation();
        void navigator.clipboard?.writeText(o.digest);
      }}
    >
      copy
    </button>
  );
  return (
    <div
      role="row"
      aria-selected={selected}
      className={`cas-row${selected ? ' cas-row-selected' : ''}${corrupt ? ' cas-row-corrupt' : ''}`}
      data-testid="cas-row"
      data-digest={o.digest}
      tabIndex={0}
      onClick={onSelect}
      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), onSelect())}
    >
      <span role="cell" className={names.length > 0 ? 'cas-name-cell' : 'mono'} title={names.length > 0 ? `${names.join('\n')}\n${o.digest}` : o.digest}>
        {names.length > 0 ? (
          <>
            <span className="cas-name" data-testid="cas-name">
              {names[0]}
              {names.length > 1 ? <span className="muted small"> +{names.length - 1}</span> : null}
            </span>
            {/* The digest and its copy button share the second line: the row's height holds two. */}
            <span className="cas-digest-line">
              <span className="mono small muted">{shortDigest(o.digest)}</span>
              {copy}
            </span>
          </>
        ) : (
          <>
            {shortDigest(o.digest)}
            {copy}
          </>
        )}

      </span>
      <span role="cell" className="num">
        {formatBytes(o.size_bytes)}
      </span>
      {isArtifact(o) ? (
        <ArtifactKindCell o={o} />
      ) : (
        <>
          <span role="cell" className="cas-kind" title={o.kind}>
            {o.kind}
          </span>
          <span role="cell" className="cas-tags">
            {o.tags.filter((t) => !t.startsWith(NAME_TAG)).map((t) => (
              <span key={t} className="tag">
                {t}
              </span>
            ))}
          </span>
        </>
      )}
      <span role="cell" className="muted small" title={exactTime(o.created_at)}>
        {timeAgo(o.created_at)}
      </span>
      <span role="cell">{o.pinned ? <span className="tag cas-pinned">pinned</span> : corrupt ? <span className="tag cas-corrupt-tag">corrupt</span> : null}</span>
    </div>
  );
}

/** Filters of the list: kind, tag, pinned, digest prefix and sort; applied on Enter or change. */
function Filters({ filter, onChange }: { filter: CasFilter; onChange: (f: CasFilter) => void }): ReactNode {
  const [search, setSearch] = useState(filter.search ?? filter.digestPrefix ?? '');
  const [kind, setKind] = useState(filter.kind ?? '');
  const [tag, setTag] = useState(filter.tag ?? '');
  const apply = (patch: Partial<CasFilter> = {}): void => {
    const f: CasFilter = { ...filter, digestPrefix: undefined, search: search.trim() || undefined, kind: kind.trim() || undefined, tag: tag.trim() || undefined, ...patch };
    onChange(Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)) as CasFilter);
  };
  return (
    <form
      className="cas-filters"
      onSubmit={(e) => {
        e.preventDefault();
        apply();
      }}
    >
      <input aria-label="Search by name or digest prefix" placeholder="Name or digest prefix" value={search} onChange={(e) => setSearch(e.target.value)} className="input" />
      <input aria-label="Filter by kind" placeholder="Kind" value={kind} onChange={(e) => setKind(e.target.value)} className="input" />
      <input aria-label="Filter by tag" placeholder="Tag" value={tag} onChange={(e) => setTag(e.target.value)} className="input" />
      <select
        aria-label="Pinned"
        className="input"
        value={filter.pinned === undefined ? 'any' : String(filter.pinned)}
        onChange={(e) => apply({ pinned: e.target.value === 'any' ? undefined : e.target.value === 'true' })}
      >
        <option value="any">Pinned or not</option>
        <option value="true">Pinned only</option>
        <option value="false">Unpinned only</option>
      </select>
      <select aria-label="Sort" className="input" value={filter.sort ?? '-created'} onChange={(e) => apply({ sort: e.target.value as CasFilter['sort'] })}>
        {CAS_SORTS.map((s) => (
          <option key={s} value={s}>
            {SORT_LABELS[s]}
          </option>
        ))}
      </select>
      <button type="submit" className="btn">
        Search
      </button>
    </form>
  );
}

/** The object list: filters and a virtualized table (only the visible rows are in the DOM). */
export function CasObjectList({ objects, corrupt }: { objects: CasObject[]; corrupt: ReadonlySet<string> }): ReactNode {
  const filter = useStudio((s) => s.casFilter);
  const load = useStudio((s) => s.loadCas);
  const more = useStudio((s) => s.loadMoreCas);
  const cursor = useStudio((s) => s.casCursor);
  const selected = useStudio((s) => s.casSelected);
  const select = useStudio((s) => s.selectCasObject);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: objects.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const items = virtual.getVirtualItems();
  // Near the end of what is loaded: fetch the next page.
  const lastIndex = items[items.length - 1]?.index ?? -1;
  useEffect(() => {
    if (cursor && lastIndex >= objects.length - 20) void more();
  }, [cursor, lastIndex, objects.length, more]);
  return (
    <>
      <Filters filter={filter} onChange={(f) => void load(f)} />
      <div role="table" aria-label="CAS objects" aria-rowcount={objects.length} className="cas-table">
        <div role="row" className="cas-row cas-row-head">
          <span role="columnheader">Name · digest</span>
          <span role="columnheader" className="num">
            Size
          </span>
          <span role="columnheader">Kind</span>
          <span role="columnheader">Tags</span>
          <span role="columnheader">Created</span>
          <span role="columnheader">Pin</span>
        </div>
        {objects.length === 0 ? (
          <p className="muted cas-none" data-testid="cas-none">
            No object matches these filters.
          </p>
        ) : (
          <div ref={scroller} className="cas-scroll" data-testid="cas-list" style={{ height: Math.min(objects.length * ROW, MAX_HEIGHT) }}>
            <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
              {items.map((v) => {
                const o = objects[v.index] as CasObject;
                return (
                  <div key={o.digest} style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` }}>
                    <Row o={o} selected={selected === o.digest} corrupt={corrupt.has(o.digest)} onSelect={() => select(selected === o.digest ? null : o.digest)} />
                  </div>
                );
              })}
            </div>
          </div>
        )}
      </div>
      <p className="muted small">
        {objects.length} {objects.length === 1 ? 'object' : 'objects'} shown{cursor ? ' · more load as you scroll' : ''}
      </p>
    </>
  );
}
