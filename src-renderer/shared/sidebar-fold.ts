// Whether the sidebar is folded to its icon rail: the user's choice, kept in localStorage, or, until
// they make one, the window's width (folded below 1100 px, the way a small laptop wants it).
import { useCallback, useSyncExternalStore } from 'react';

/** The localStorage key of the user's choice: 'folded' or 'open'. */
export const SIDEBAR_KEY = 'foxctl-studio-sidebar';

/** Below this width, and while the user never chose, the sidebar starts folded. */
const NARROW = '(max-width: 1099px)';

const listeners = new Set<() => void>();
// Where localStorage is unavailable (a locked-down profile) the choice still holds for this session.
let memory: 'folded' | 'open' | null = null;

function readChoice(): 'folded' | 'open' | null {
  try {
    const v = window.localStorage.getItem(SIDEBAR_KEY);
    if (v === 'folded' || v === 'open') return v;
  } catch {
    // no storage: fall back on this session's choice
  }
  return memory;
}

function folded(): boolean {
  const choice = readChoice();
  return choice ? choice === 'folded' : window.matchMedia(NARROW).matches;
}

function subscribe(onChange: () => void): () => void {
  const narrow = window.matchMedia(NARROW);
  listeners.add(onChange);
  narrow.addEventListener('change', onChange);
  // Another window of the app made a choice.
  window.addEventListener('storage', onChange);
  return () => {
    listeners.delete(onChange);
    narrow.removeEventListener('change', onChange);
    window.removeEventListener('storage', onChange);
  };
}

/** Records the user's choice and tells every subscriber. */
export function setSidebarFolded(value: boolean): void {
  memory = value ? 'folded' : 'open';
  try {
    window.localStorage.setItem(SIDEBAR_KEY, memory);
  } catch {
    // kept in memory only
  }
  for (const l of listeners) l();
}

/** The sidebar's fold state and its toggle. */
export function useSidebarFold(): { folded: boolean; toggle: () => void } {
  const value = useSyncExternalStore(subscribe, folded);
  const toggle = useCallback(() => setSidebarFolded(!folded()), []);
  return { folded: value, toggle };
}
