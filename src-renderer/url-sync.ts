// The address bar follows the app: the view, and on Events the filter and sort, live in the query
// string (`?view=events&since=1h&status=error`), so reload, back/forward and bookmarks work. The
// fragment stays the browser-mode token's (read once, then removed).
import { eventsFromParams, eventsToParams } from './events/url-state';
import { VIEWS, type ViewId } from './shared/app-slice';
import { useStudio, type StudioState } from './store';

/** The query string of a state: `?view=...` plus the Events filter when Events is shown. */
export function searchOf(s: Pick<StudioState, 'view' | 'evFilter' | 'evPreset' | 'evSort'>): string {
  const params = new URLSearchParams({ view: s.view });
  if (s.view === 'events') eventsToParams({ filter: s.evFilter, preset: s.evPreset, sort: s.evSort }, params);
  return `?${params.toString()}`;
}

/** Shows what a query string says: its view and, for Events, its filter (reloading the table when it differs). */
function apply(search: string): void {
  const params = new URLSearchParams(search);
  const view = params.get('view');
  if (!view || !(VIEWS as readonly string[]).includes(view)) return;
  const s = useStudio.getState();
  if (view === 'events') {
    const e = eventsFromParams(params);
    const same = JSON.stringify(e.filter) === JSON.stringify(s.evFilter) && e.sort === s.evSort;
    if (!same) {
      // Before the view mounts, setting the state is enough: it loads what it finds.
      if (s.evRows === null) useStudio.setState({ evFilter: e.filter, evPreset: e.preset, evSort: e.sort });
      else void s.loadEvents(e.filter, e.preset, e.sort);
    }
  }
  s.navigate(view as ViewId);
}

/** Reads the URL once, then keeps it and the app in step both ways; returns the stop. */
export function startUrlSync(): () => void {
  let applying = false;
  const run = (search: string): void => {
    applying = true;
    try {
      apply(search);
    } finally {
      applying = false;
    }
  };
  run(window.location.search);
  const write = (replace: boolean): void => {
    const search = searchOf(useStudio.getState());
    if (search === window.location.search) return;
    const url = window.location.pathname + search + window.location.hash;
    try {
      if (replace) history.replaceState(null, '', url);
      else history.pushState(null, '', url);
    } catch {
      // A page whose URL cannot change (an opaque origin) keeps working without it.
    }
  };
  // The first URL is normalized in place: opening the app adds no history entry.
  write(true);
  const stop = useStudio.subscribe((now, before) => {
    if (applying) return;
    if (now.view !== before.view || now.evFilter !== before.evFilter || now.evPreset !== before.evPreset || now.evSort !== before.evSort) write(false);
  });
  const onPop = (): void => run(window.location.search);
  window.addEventListener('popstate', onPop);
  return () => {
    stop();
    window.removeEventListener('popstate', onPop);
  };
}
