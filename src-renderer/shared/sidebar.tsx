import type { KeyboardEvent, ReactNode } from 'react';
import { useStudio } from '../store';
import { VIEWS, type ViewId } from './app-slice';
import { Icon } from './icons';

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

/** The navigation: one button per view; arrow keys move between them, Enter/Space opens. */
export function Sidebar(): ReactNode {
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
  return (
    <aside className="sidebar">
      <div className="brand">
        <img src="./icon.svg" alt="" width="28" height="28" />
        <div>
          <div className="brand-name">foxctl</div>
          <div className="brand-sub">Storage Studio</div>
        </div>
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
                <span>{VIEW_LABELS[id]}</span>
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
        <div className={`conn conn-${connection}`} data-testid="connection" data-state={connection}>
          <span className="dot" aria-hidden="true" />
          {connection === 'connected' ? 'Connected' : connection === 'no-token' ? 'Not authorized' : 'Reconnecting…'}
          {info ? <span className="mode">{info.mode === 'electron' ? 'Desktop' : 'Browser mode'}</span> : null}
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
