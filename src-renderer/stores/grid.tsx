import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { DbCell } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';
import { MenuButton, type MenuItem } from '../shared/menu-button';
import { MAX_COLUMN, MIN_COLUMN, useGridLayout, type GridLayoutState } from './grid-layout';

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
 * Column widths from the header and the first rows: every row is its own grid (rows are
 * virtualized), so the tracks must be the same px in all of them.
 */
function autoWidths(columns: string[], rows: DbCell[][]): number[] {
  const sample = rows.slice(0, 100);
  return columns.map((c, i) => {
    const chars = Math.max(c.length, ...sample.map((r) => shownChars(r[i])));
    return Math.max(72, Math.min(300, Math.round(chars * 7.4) + 24));
  });
}

/**
 * A column's resize handle (the WAI-ARIA window splitter): drag it, or focus it and press
 * ArrowLeft / ArrowRight (Shift: bigger steps); Delete or a double click gives the column its
 * automatic width back.
 */
function ResizeHandle({ column, width, onWidth }: { column: string; width: number; onWidth: (w: number | null) => void }): ReactNode {
  const drag = useRef<{ x: number; w: number } | null>(null);
  return (
    <span
      role="separator"
      aria-orientation="vertical"
      aria-label={`Width of ${column}`}
      aria-valuenow={width}
      aria-valuemin={MIN_COLUMN}
      aria-valuemax={MAX_COLUMN}
      tabIndex={0}
      className="store-col-resize"
      data-testid="store-col-resize"
      onPointerDown={(e) => {
        e.preventDefault();
        e.currentTarget.setPointerCapture(e.pointerId);
        drag.current = { x: e.clientX, w: width };
      }}
      onPointerMove={(e) => {
        if (drag.current) onWidth(drag.current.w + e.clientX - drag.current.x);
      }}
      onPointerUp={() => (drag.current = null)}
      onPointerCancel={() => (drag.current = null)}
      onDoubleClick={() => onWidth(null)}
      onKeyDown={(e) => {
        const step = e.shiftKey ? 64 : 16;
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') onWidth(width + (e.key === 'ArrowLeft' ? -step : step));
        else if (e.key === 'Delete' || e.key === 'Backspace') onWidth(null);
        else return;
        e.preventDefault();
      }}
    />
  );
}

/** The Columns menu: hide a column, show a hidden one again, or all of them. */
export function ColumnsMenu({ columns, hidden, onHide, onShowAll }: { columns: string[]; hidden: readonly string[]; onHide: (c: string, hide: boolean) => void; onShowAll: () => void }): ReactNode {
  const visible = columns.filter((c) => !hidden.includes(c));
  const items: MenuItem[] = [
    ...columns.map((c) => (hidden.includes(c) ? { label: `Show ${c}`, onSelect: () => onHide(c, false) } : { label: `Hide ${c}`, onSelect: () => onHide(c, true), disabled: visible.length <= 1 })),
    ...(hidden.length > 0 ? [{ label: 'Show all columns', onSelect: onShowAll }] : []),
  ];
  return (
    <div className="store-grid-tools">
      {hidden.length > 0 ? (
        <span className="muted small" data-testid="store-hidden-columns" title={`${hidden.length} of ${columns.length} columns hidden: ${hidden.join(', ')}`}>
          {hidden.length} hidden
        </span>
      ) : null}
      <MenuButton label="Columns ▾" ariaLabel="Columns: hide or show" items={items} testId="store-columns-menu" />
    </div>
  );
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
  layout: given,
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
  /**
   * The columns' widths and hidden columns, when the caller holds them (the table browser keeps
   * them per table and shows the Columns menu in its own bar); else the grid's own, with its menu.
   */
  layout?: GridLayoutState;
}): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  const [picked, setPicked] = useState<{ r: number; c: number } | null>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 12 });
  const own = useGridLayout(undefined);
  const { layout, setWidth, setHidden, showAll } = given ?? own;
  const auto = useMemo(() => autoWidths(columns, rows), [columns, rows]);
  // The columns shown, by their index in the result (a hidden one's cells are not rendered).
  const shown = useMemo(() => columns.map((_, i) => i).filter((i) => !layout.hidden.includes(columns[i]!)), [columns, layout.hidden]);
  const widthOf = (i: number): number => layout.widths[columns[i]!] ?? auto[i]!;
  const template = `64px ${shown.map((i) => `${widthOf(i)}px`).join(' ')}`;
  const hiddenHere = layout.hidden.filter((c) => columns.includes(c));
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
      {given ? null : <ColumnsMenu columns={columns} hidden={hiddenHere} onHide={setHidden} onShowAll={showAll} />}
      <div
        className="store-grid"
        ref={scroller}
        style={{ maxHeight: MAX_HEIGHT, height: Math.min(MAX_HEIGHT, (rows.length + 1) * ROW + 2) }}
        data-testid={testId}
        data-rows={rows.length}
        role="grid"
        aria-rowcount={rows.length + 1}
        aria-colcount={shown.length + 1}
      >
        <div className="store-grid-row store-grid-head" role="row" style={{ gridTemplateColumns: template }}>
          <span role="columnheader" className="store-rownum">
            #
          </span>
          {shown.map((i) => {
            const c = columns[i]!;
            const by = sort?.column === c ? (sort.desc ? 'descending' : 'ascending') : undefined;
            return (
              <span role="columnheader" key={`${c}:${i}`} title={c} aria-sort={onSort ? (by ?? 'none') : undefined} data-column={c} className="store-col-head">
                {onSort ? (
                  <button type="button" className="store-sort" onClick={() => onSort(c)} aria-label={`Sort by ${c}${by === 'ascending' ? ', descending' : by === 'descending' ? ', off' : ''}`}>
                    <span className="store-sort-name">{c}</span>
                    <span className="store-sort-mark" aria-hidden="true">
                      {by === 'ascending' ? '▲' : by === 'descending' ? '▼' : ''}
                    </span>
                  </button>
                ) : (
                  <span className="store-col-name">{c}</span>
                )}
                <ResizeHandle column={c} width={widthOf(i)} onWidth={(w) => setWidth(c, w)} />
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
                {shown.map((c) => {
                  const v = row[c] ?? null;
                  return (
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
                  );
                })}
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
