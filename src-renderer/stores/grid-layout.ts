import { useCallback, useEffect, useState } from 'react';

/** Narrowest and widest a column can be made (px). */
export const MIN_COLUMN = 48;
export const MAX_COLUMN = 900;

/** How a grid's columns are laid out by the user: widths set by hand, and hidden columns, by name. */
export interface GridLayout {
  widths: Record<string, number>;
  hidden: string[];
}

const EMPTY: GridLayout = { widths: {}, hidden: [] };

/** The localStorage key of a grid's layout. */
function storageKey(key: string): string {
  return `foxctl.studio.grid.${key}`;
}

/** A stored layout, or the empty one when there is none or it is not ours (hand-edited, older). */
function readLayout(key: string | undefined): GridLayout {
  if (!key) return EMPTY;
  try {
    const v = JSON.parse(localStorage.getItem(storageKey(key)) ?? 'null') as Partial<GridLayout> | null;
    if (!v || typeof v !== 'object') return EMPTY;
    const widths: Record<string, number> = {};
    for (const [c, w] of Object.entries(v.widths ?? {})) if (typeof w === 'number' && Number.isFinite(w)) widths[c] = clampWidth(w);
    const hidden = Array.isArray(v.hidden) ? v.hidden.filter((c): c is string => typeof c === 'string') : [];
    return { widths, hidden };
  } catch {
    return EMPTY;
  }
}

/** A width within MIN_COLUMN..MAX_COLUMN, in whole px. */
export function clampWidth(w: number): number {
  return Math.round(Math.min(MAX_COLUMN, Math.max(MIN_COLUMN, w)));
}

/**
 * A grid's column layout: widths and hidden columns the user chose, kept per `key` (a store's
 * table) in localStorage so a table opens as it was left; without a key, for this grid only.
 */
/** A grid's layout and what changes it. */
export interface GridLayoutState {
  layout: GridLayout;
  setWidth(column: string, width: number | null): void;
  setHidden(column: string, hidden: boolean): void;
  showAll(): void;
}

export function useGridLayout(key: string | undefined): GridLayoutState {
  const [layout, setLayout] = useState<GridLayout>(() => readLayout(key));
  // Another table: its own layout.
  useEffect(() => setLayout(readLayout(key)), [key]);
  const update = useCallback(
    (f: (l: GridLayout) => GridLayout): void =>
      setLayout((l) => {
        const next = f(l);
        if (key) {
          try {
            if (Object.keys(next.widths).length === 0 && next.hidden.length === 0) localStorage.removeItem(storageKey(key));
            else localStorage.setItem(storageKey(key), JSON.stringify(next));
          } catch {
            // Storage full or off: the layout holds for this session.
          }
        }
        return next;
      }),
    [key],
  );
  return {
    layout,
    setWidth: (column, width) =>
      update((l) => {
        const widths = { ...l.widths };
        if (width === null) delete widths[column];
        else widths[column] = clampWidth(width);
        return { ...l, widths };
      }),
    setHidden: (column, hidden) => update((l) => ({ ...l, hidden: hidden ? [...new Set([...l.hidden, column])] : l.hidden.filter((c) => c !== column) })),
    showAll: () => update((l) => ({ ...l, hidden: [] })),
  };
}
