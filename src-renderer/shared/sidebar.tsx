import { useEffect, type KeyboardEvent, type ReactNode } from 'react';
import { useStudio } from '../store';
import { VIEWS, type ViewId } from './app-slice';
import { Icon } from './icons';
import { useSidebarFold } from './sidebar-fold';

/** The label of each view in the navigation. */
export const VIEW_LABELS: Record<ViewId, string> = {
  overview: 'Overview',
  stores: 'Stores',
  cas: 'CAS',
  events: 'Events',
  backups: 'Backups',
  jobs: 'Jobs',
  settings: 'Settings',
};

/** The end of a long path, which tells homes apart: `…/work/.foxctl`. */
export function shortenPath(p: string, max = 26): string {
  return p.length <= max ? p : `…${p.slice(p.length - max + 1)}`;
}

/** Whether the shortcuts read Cmd (macOS) rather than Ctrl. */
const MAC = /Mac|iPhone|iPad/.test(navigator.userAgent);

/** The toggle's shortcut as a user reads it, and as aria-keyshortcuts spells it. */
const SHORTCUT = MAC ? { text: '⌘B', aria: 'Meta+B' } : { text: 'Ctrl+B', aria: 'Control+B' };

/**
 * The navigation: one button per view; arrow keys move between them, Enter/Space opens. It folds
 * to an icon rail (the toggle, or Ctrl+B / Cmd+B as in VS Code), each view's name then shown as a
 * tooltip on hover and keyboard focus; the labels stay in the accessible names either way.
 */
export function Sidebar(): ReactNode {
  const { folded, toggle } = useSidebarFold();
  const view = useStudio((s) => s.view);
  const navigate = useStudio((s) => s.navigate);
  const running = useStudio((s) => Object.values(s.jobs).filter((j) => j.state === 'running' || j.state === 'queued').length);
  const info = useStudio((s) => s.info);
  const connection = useStudio((s) => s.connection);
  const onKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button[data-nav]')];
    const i = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[(i + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length];
    next?.focus();
    e.preventDefault();
  };
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent): void => {
      if (e.defaultPrevented || e.altKey || e.shiftKey || e.key.toLowerCase() !== 'b') return;
      if (!(MAC ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey)) return;
      e.preventDefault();
      toggle();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [toggle]);
  const connText = connection === 'connected' ? 'Connected' : connection === 'no-token' ? 'Not authorized' : 'Reconnecting…';
  const modeText = info ? (info.mode === 'electron' ? 'Desktop' : 'Browser mode') : null;
  return (
    <aside id="sidebar" className={`sidebar${folded ? ' sidebar-folded' : ''}`} data-folded={folded}>
      <div className="brand">
        <img src="./icon.svg" alt="" width="28" height="28" />
        <div className="brand-text">
          <div className="brand-name">foxctl</div>
          <div className="brand-sub">Storage Studio</div>
        </div>
        <button
          type="button"
          className="sidebar-toggle"
          aria-label="Sidebar"
          aria-expanded={!folded}
          aria-controls="sidebar"
          aria-keyshortcuts={SHORTCUT.aria}
          title={`${folded ? 'Expand' : 'Collapse'} the sidebar (${SHORTCUT.text})`}
          onClick={toggle}
          data-testid="sidebar-toggle"
        >
          <Icon name={folded ? 'sidebar-unfold' : 'sidebar-fold'} />
        </button>
      </div>
      <nav aria-label="Views" onKeyDown={onKeyDown}>
        <ul>
          {VIEWS.map((id) => (
            <li key={id}>
              <button
                type="button"
                data-nav={id}
                className={`nav-item${view === id ? ' active' : ''}`}
                aria-current={view === id ? 'page' : undefined}
                onClick={() => navigate(id)}
              >
                <Icon name={id} />
                {/* Folded, the label is the tooltip: still the button's name for screen readers and tests. */}
                <span className="nav-label">{VIEW_LABELS[id]}</span>
                {id === 'jobs' && running > 0 ? (
                  <span className="nav-badge" aria-label={`${running} running`}>
                    {running}
                  </span>
                ) : null}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <footer className="sidebar-footer">
        <div
          className={`conn conn-${connection}`}
          data-testid="connection"
          data-state={connection}
          title={folded ? [connText, modeText, info?.home].filter(Boolean).join(' · ') : undefined}
        >
          <span className="dot" aria-hidden="true" />
          <span className="conn-text">{connText}</span>
          {modeText ? <span className="mode">{modeText}</span> : null}
        </div>
        {info ? (
          <div className="home-path" title={info.home}>
            {shortenPath(info.home)}
          </div>
        ) : null}
      </footer>
    </aside>
  );
}
