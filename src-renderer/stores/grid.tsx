import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DbCell } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';

/** Height of one grid row in px (fixed: the virtualizer needs no measuring). */
const ROW = 30;

/** The grid grows with its rows up to this height (px), then scrolls. */
const MAX_HEIGHT = 460;

/** Characters of text shown in a cell before the ellipsis (the cell inspector shows the rest). */
const CELL_CHARS = 200;

/** Hex pairs spaced for reading: "46 4f 58 ...". */
function spacedHex(hex: string): string {
  return hex.replace(/(..)(?!$)/g, '$1 ');
}

/** A cell as a short text, for titles and copying. */
export function cellText(v: DbCell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'object') return '$blob' in v ? `BLOB ${formatBytes(v.$blob)} ${v.hex}` : v.head;
  return String(v);
}

/** Shown length of a cell in characters, for sizing its column. */
function shownChars(v: DbCell | undefined): number {
  if (v === null || v === undefined) return 4;
  if (typeof v === 'object') return '$blob' in v ? 34 : 40;
  return Math.min(String(v).length, 60);
}

/**
 * Fixed column widths from the header and the first rows: every row is its own grid (rows are
 * virtualized), so the tracks must be the same px in all of them.
 */
function columnTemplate(columns: string[], rows: DbCell[][]): string {
  const sample = rows.slice(0, 100);
  const widths = columns.map((c, i) => {
    const chars = Math.max(c.length, ...sample.map((r) => shownChars(r[i])));
    return Math.max(72, Math.min(300, Math.round(chars * 7.4) + 24));
  });
  return `64px ${widths.map((w) => `${w}px`).join(' ')}`;
}

/** One cell's content: NULL, a number, text cut short, a BLOB as size + hex prefix, long text with its length. */
function CellContent({ v }: { v: DbCell }): ReactNode {
  if (v === null) return <span className="store-null">NULL</span>;
  if (typeof v === 'number') return <span className="store-num">{v}</span>;
  if (typeof v === 'string') return <>{v.length > CELL_CHARS ? `${v.slice(0, CELL_CHARS)}…` : v}</>;
  if ('$blob' in v) {
    return (
      <span className="store-blob">
        <span className="tag">BLOB {formatBytes(v.$blob)}</span> <span className="mono">{spacedHex(v.hex.slice(0, 16))}</span>
      </span>
    );
  }
  return (
    <>
      <span className="tag">{formatCount(v.$text)} chars</span> {v.head.slice(0, CELL_CHARS)}…
    </>
  );
}

/** The whole (or the crossed-over head of a) selected cell, with what was left out. */
function CellInspector({ column, row, v, onClose }: { column: string; row: number; v: DbCell; onClose: () => void }): ReactNode {
  let body: ReactNode;
  let note: string | null = null;
  if (v === null) body = 'NULL';
  else if (typeof v === 'number' || typeof v === 'string') body = String(v);
  else if ('$blob' in v) {
    body = spacedHex(v.hex);
    note = `BLOB of ${formatBytes(v.$blob)} (${formatCount(v.$blob)} bytes): the first ${v.hex.length / 2} bytes are shown. Read more with substr() or hex() in the SQL console.`;
  } else {
    body = v.head;
    note = `Text of ${formatCount(v.$text)} characters: the first ${formatCount(v.head.length)} are shown. Read further with substr(${column}, ${v.head.length + 1}, 4096) in the SQL console.`;
  }
  return (
    <div className="store-cell-inspector" data-testid="store-cell-inspector" role="region" aria-label={`Value of ${column} in row ${row}`}>
      <div className="store-cell-inspector-head">
        <strong>
          {column} <span className="muted">· row {formatCount(row)}</span>
        </strong>
        <span className="store-spacer" />
        <button type="button" className="btn btn-quiet" onClick={() => void navigator.clipboard?.writeText(cellText(v))}>
          Copy
        </button>
        <button type="button" className="btn btn-quiet" onClick={onClose}>
          Close
        </button>
      </div>
      {note ? <div className="muted small">{note}</div> : null}
      <pre className="store-cell-value">{body}</pre>
    </div>
  );
}

/**
 * A read-only result grid: virtualized rows (a page of 1,000 or a console result of 10,000 stays
 * smooth), a sticky header, NULL / numbers / BLOBs / long text each shown for what it is, and a
 * cell inspector for the full value of a clicked cell.
 */
export function StoreGrid({
  columns,
  rows,
  firstRow,
  focusRow = null,
  testId,
  sort = null,
  onSort,
}: {
  columns: string[];
  rows: DbCell[][];
  /** The number of the first row (1-based), e.g. offset + 1 for a page. */
  firstRow: number;
  /** A row number to scroll to and mark. */
  focusRow?: number | null;
  testId: string;
  /** The column the rows are sorted by, shown on its header. */
  sort?: { column: string; desc: boolean } | null;
  /** Given: each header is a button that sorts by its column (up, then down, then the table's own order). */
  onSort?: (column: string) => void;
}): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  const [picked, setPicked] = useState<{ r: number; c: number } | null>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const template = useMemo(() => columnTemplate(columns, rows), [columns, rows]);
  const pickedValue = picked ? rows[picked.r]?.[picked.c] : undefined;
  // A new page starts at its top (or at the row asked for); the picked cell belonged to the old one.
  useEffect(() => {
    setPicked(null);
    if (focusRow !== null && focusRow >= firstRow && focusRow < firstRow + rows.length) virtual.scrollToIndex(focusRow - firstRow, { align: 'center' });
    else if (scroller.current) scroller.current.scrollTop = 0;
  }, [firstRow, focusRow, rows]);
  if (columns.length === 0) return <p className="muted">The statement returned no columns.</p>;
  return (
    <>
      <div
        className="store-grid"
        ref={scroller}
        style={{ maxHeight: MAX_HEIGHT, height: Math.min(MAX_HEIGHT, (rows.length + 1) * ROW + 2) }}
        data-testid={testId}
        data-rows={rows.length}
        role="grid"
        aria-rowcount={rows.length + 1}
        aria-colcount={columns.length + 1}
      >
        <div className="store-grid-row store-grid-head" role="row" style={{ gridTemplateColumns: template }}>
          <span role="columnheader" className="store-rownum">
            #
          </span>
          {columns.map((c, i) => {
            const by = sort?.column === c ? (sort.desc ? 'descending' : 'ascending') : undefined;
            return (
              <span role="columnheader" key={`${c}:${i}`} title={c} aria-sort={onSort ? (by ?? 'none') : undefined} data-column={c}>
                {onSort ? (
                  <button type="button" className="store-sort" onClick={() => onSort(c)} aria-label={`Sort by ${c}${by === 'ascending' ? ', descending' : by === 'descending' ? ', off' : ''}`}>
                    <span className="store-sort-name">{c}</span>
                    <span className="store-sort-mark" aria-hidden="true">
                      {by === 'ascending' ? '▲' : by === 'descending' ? '▼' : ''}
                    </span>
                  </button>
                ) : (
                  c
                )}
              </span>
            );
          })}
        </div>
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index] ?? [];
            return (
              <div
                key={item.key}
                role="row"
                className={`store-grid-row${firstRow + item.index === focusRow ? ' store-grid-row-focus' : ''}`}
                data-row={firstRow + item.index}
                style={{ gridTemplateColumns: template, position: 'absolute', top: 0, left: 0, transform: `translateY(${item.start}px)` }}
              >
                <span role="rowheader" className="store-rownum">
                  {formatCount(firstRow + item.index)}
                </span>
                {row.map((v, c) => (
                  <span
                    role="gridcell"
                    key={c}
                    tabIndex={0}
                    className={picked?.r === item.index && picked.c === c ? 'store-cell-picked' : undefined}
                    title={typeof v === 'string' && v.length <= CELL_CHARS ? v : undefined}
                    onClick={() => setPicked({ r: item.index, c })}
                    onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setPicked({ r: item.index, c }))}
                  >
                    <CellContent v={v} />
                  </span>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {picked && pickedValue !== undefined ? (
        <CellInspector column={columns[picked.c] ?? ''} row={firstRow + picked.r} v={pickedValue} onClose={() => setPicked(null)} />
      ) : null}
    </>
  );
}
