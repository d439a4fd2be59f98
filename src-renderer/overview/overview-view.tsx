import { useEffect, type ReactNode } from 'react';
import type { Overview } from '../../src-preload/contract';
import { Command } from '../shared/empty-state';
import { Icon } from '../shared/icons';
import { Loadable } from '../shared/loadable';
import { RefreshButton } from '../shared/refresh-button';
import { Card, Page } from '../shared/page';
import { ProgressBar } from '../shared/progress-bar';
import { exactTime, formatBytes, formatCount, formatSeconds, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { backupHealth } from '../backups/health';
import { AttentionPanel } from './attention';
import './overview.css';

/** The human name of a store class. */
export const CLASS_LABELS: Record<string, string> = {
  sync_critical: 'Sync-critical',
  sync_useful: 'Sync-useful',
  local_only: 'Local only',
  observability: 'Observability',
  external: 'External',
};

function BackupCard({ o }: { o: Overview }): ReactNode {
  const b = o.backups;
  const navigate = useStudio((s) => s.navigate);
  if (!b.newest) {
    return (
      <Card title="Last backup" className="card-warn">
        <div className="big-stat warn" data-testid="backup-age">
          <Icon name="warning" /> Never backed up
        </div>
        <p className="muted">
          Take one from <button type="button" className="link" onClick={() => navigate('backups')}>Backups</button> or run <Command>foxctl backup create</Command>.
        </p>
      </Card>
    );
  }
  const { old, warn, bad, problems } = backupHealth(b);
  const n = b.newest;
  return (
    <Card title="Last backup" className={bad ? 'card-bad' : warn ? 'card-warn' : undefined}>
      <div className={`big-stat${bad ? ' bad' : old ? ' warn' : ''}`} data-testid="backup-age" data-bad={bad} title={exactTime(n.created_at)}>
        {bad || old ? <Icon name="warning" /> : <Icon name="check" />} {capitalize(timeAgo(n.created_at))}
      </div>
      {bad ? (
        <p>
          <span className="state-badge state-error" data-testid="backup-state-overview">
            {n.status === 'damaged' ? 'Damaged' : n.status === 'completed_with_problems' ? 'Completed with problems' : 'Verify failed'}
          </span>
        </p>
      ) : null}
      <p className="muted">
        {n.name} · {formatBytes(n.size)} · {n.stores.length} stores · {formatCount(b.count)} backup{b.count === 1 ? '' : 's'} kept
      </p>
      {bad ? (
        <div className="error-text" data-testid="backup-problems-overview">
          <ul className="problem-list small">
            {problems.slice(0, 4).map((p) => (
              <li key={p}>{p}</li>
            ))}
            {problems.length > 4 ? <li>and {problems.length - 4} more</li> : null}
          </ul>
          <p className="small">
            {b.lastClean && b.lastClean.name !== n.name ? `Last clean backup: ${b.lastClean.name}, ${timeAgo(b.lastClean.created_at)}. ` : 'No clean backup to fall back on. '}
            See <button type="button" className="link" onClick={() => navigate('backups')}>Backups</button>.
          </p>
        </div>
      ) : null}
      {old ? (
        <p className="warn-text">
          <Icon name="warning" size={15} /> More than a day old: back up now.
        </p>
      ) : null}
      {b.missingCritical.length > 0 ? (
        <p className="warn-text" data-testid="missing-critical">
          <Icon name="warning" size={15} /> Not in it: {b.missingCritical.join(', ')} (sync-critical, written since).
        </p>
      ) : null}
    </Card>
  );
}

/** "just now" -> "Just now". */
function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function SyncerCard({ o }: { o: Overview }): ReactNode {
  const s = o.syncer;
  const state = s.lastError ? 'Failing' : s.syncing ? 'Syncing' : s.running ? 'Running' : 'Stopped';
  return (
    <Card title="Events syncer">
      <div className="big-stat" data-testid="syncer-state" data-state={state.toLowerCase()}>
        <span className={`status-dot ${s.lastError ? 'bad' : s.running ? 'good' : 'idle'}`} aria-hidden="true" />
        {state}
      </div>
      <p className="muted">
        {s.lastRunAt ? <span title={exactTime(s.lastRunAt)}>Last run {timeAgo(s.lastRunAt)}</span> : 'Has not run yet'}
        {' · '}
        {s.pendingLines === 0 ? 'up to date' : `${formatCount(s.pendingLines)}${s.pendingExact ? '' : '+'} lines pending (${formatBytes(s.lagBytes)})`}
        {s.rejectedTotal > 0 ? ` · ${formatCount(s.rejectedTotal)} rejected` : ''}
      </p>
      {s.lastError ? (
        <p className="warn-text">
          {s.lastError.code}: {s.lastError.message}
        </p>
      ) : null}
    </Card>
  );
}

function OverviewBody({ o }: { o: Overview }): ReactNode {
  const navigate = useStudio((s) => s.navigate);
  const totalStores = o.classes.reduce((n, c) => n + c.stores, 0);
  const present = o.classes.reduce((n, c) => n + c.present, 0);
  const storeBytes = o.classes.reduce((n, c) => n + c.bytes, 0);
  const jobs = useStudio((s) => s.jobs);
  const running = Object.values(jobs).filter((j) => j.state === 'running' || j.state === 'queued');
  return (
    <>
      <AttentionPanel items={o.attention} />
      <div className="stat-row">
        <div className="stat" data-testid="stat-stores">
          <div className="stat-label">Stores with data</div>
          <div className="stat-value">
            {present}
            <span className="stat-of"> / {totalStores}</span>
          </div>
          <div className="stat-sub">{formatBytes(storeBytes)} on disk</div>
        </div>
        <div className="stat" data-testid="stat-cas">
          <div className="stat-label">CAS</div>
          <div className="stat-value">{formatBytes(o.disk.cas.bytes)}</div>
          <div className="stat-sub">
            {o.disk.cas.exists ? `${formatCount(o.disk.cas.files)} files${o.disk.cas.truncated ? '+ (counting stopped)' : ''}` : 'not created yet'}
          </div>
        </div>
        <div className="stat" data-testid="stat-events">
          <div className="stat-label">Events</div>
          <div className="stat-value">{formatBytes(o.disk.events.bytes)}</div>
          <div className="stat-sub">{o.disk.events.exists ? `${formatCount(o.disk.events.files)} files (NDJSON + events.db)` : 'not created yet'}</div>
        </div>
        <div className="stat" data-testid="stat-backups">
          <div className="stat-label">Backups</div>
          <div className="stat-value">{formatBytes(o.disk.backups.bytes)}</div>
          <div className="stat-sub">{o.disk.backups.exists ? `${formatCount(o.disk.backups.files)} files` : 'none yet'}</div>
        </div>
      </div>

      <div className="grid-2">
        <BackupCard o={o} />
        <SyncerCard o={o} />
      </div>

      <Card
        title="Running jobs"
        aside={
          <button type="button" className="link" onClick={() => navigate('jobs')}>
            All jobs
          </button>
        }
      >
        {running.length === 0 ? (
          <p className="muted" data-testid="no-running-jobs">
            Nothing running. Backups, CAS uploads and verifies show their progress here.
          </p>
        ) : (
          <ul className="mini-jobs">
            {running.map((j) => (
              <li key={j.id}>
                <div className="mini-job-title">{j.title}</div>
                <ProgressBar done={j.progress.done} total={j.progress.total} label={`${j.title} progress`} />
                <div className="mini-job-eta">{j.progress.eta !== null ? `${formatSeconds(j.progress.eta)} left` : ''}</div>
              </li>
            ))}
          </ul>
        )}
      </Card>

      <Card
        title="Stores by class"
        aside={
          <button type="button" className="link" onClick={() => navigate('stores')}>
            All stores
          </button>
        }
      >
        <table className="table" data-testid="classes-table">
          <thead>
            <tr>
              <th scope="col">Class</th>
              <th scope="col">What it means</th>
              <th scope="col" className="num">
                With data
              </th>
              <th scope="col" className="num">
                Size
              </th>
            </tr>
          </thead>
          <tbody>
            {o.classes.map((c) => (
              <tr key={c.class} data-class={c.class}>
                <td>
                  <span className={`class-pill class-${c.class}`}>{CLASS_LABELS[c.class]}</span>
                </td>
                <td className="muted">{c.description}</td>
                <td className="num">
                  {c.present} / {c.stores}
                </td>
                <td className="num">{formatBytes(c.bytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>

      <Card title="Home and paths">
        <dl className="paths">
          <div className="paths-row">
            <dt>Home</dt>
            <dd>
              <code>{o.home}</code>
            </dd>
          </div>
          <div className="paths-row">
            <dt>Config file</dt>
            <dd>
              <code>{o.configFile}</code>
              {o.configFileLoaded ? null : <span className="tag">absent · defaults apply</span>}
            </dd>
          </div>
          {o.paths.map((p) => (
            <div key={p.key} className="paths-row">
              <dt>{p.label}</dt>
              <dd>
                <code>{p.path}</code>
              </dd>
            </div>
          ))}
        </dl>
      </Card>
    </>
  );
}

/** Overview: the home at a glance. */
export function OverviewView(): ReactNode {
  const overview = useStudio((s) => s.overview);
  const load = useStudio((s) => s.loadOverview);
  const loading = useStudio((s) => s.requests.overview?.loading ?? false);
  useEffect(() => void load(), [load]);
  return (
    <Page
      id="overview"
      title="Overview"
      subtitle={overview ? `Updated ${timeAgo(overview.generatedAt)}` : 'Your foxctl home at a glance'}
      actions={
        <RefreshButton onRefresh={() => void load()} busy={loading} />
      }
    >
      <Loadable request="overview" data={overview} retry={() => void load()}>
        {(o) => <OverviewBody o={o} />}
      </Loadable>
    </Page>
  );
}
