import { useEffect, type ReactNode } from 'react';
import { Command, EmptyState } from '../components/empty-state';
import { ErrorNotice } from '../components/error-notice';
import { Loadable } from '../components/loadable';
import { Card, Page } from '../components/page';
import { exactTime, formatBytes, formatCount, timeAgo } from '../format';
import { useStudio } from '../store';
import { IDLE } from '../store/requests';

/** Events: the syncer's state now; the events.db viewer arrives with its own issue. */
export function EventsView(): ReactNode {
  const syncer = useStudio((s) => s.syncer);
  const load = useStudio((s) => s.loadSyncer);
  const syncNow = useStudio((s) => s.syncNow);
  const syncReq = useStudio((s) => s.requests['syncer.syncNow'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  useEffect(() => void load(), [load]);
  return (
    <Page id="events" title="Events" subtitle="Structured events of foxctl and its agents, synced from NDJSON into events.db.">
      <Loadable request="syncer" data={syncer} retry={() => void load()}>
        {(s) => (
          <>
            <Card
              title="Syncer"
              aside={
                <button type="button" className="btn" onClick={() => void syncNow()} disabled={syncReq.loading || s.syncing}>
                  Sync now
                </button>
              }
            >
              <dl className="facts" data-testid="syncer-panel">
                <div>
                  <dt>State</dt>
                  <dd data-testid="syncer-panel-state">{s.lastError ? 'Failing' : s.syncing ? 'Syncing' : s.running ? `Running every ${Math.round(s.intervalMs / 1000)} s` : 'Stopped'}</dd>
                </div>
                <div>
                  <dt>Last run</dt>
                  <dd title={s.lastRunAt ? exactTime(s.lastRunAt) : undefined}>{s.lastRunAt ? timeAgo(s.lastRunAt) : 'never'}</dd>
                </div>
                <div>
                  <dt>Synced</dt>
                  <dd data-testid="syncer-synced">{formatCount(s.syncedTotal)} events</dd>
                </div>
                <div>
                  <dt>Pending</dt>
                  <dd>
                    {formatCount(s.pendingLines)}
                    {s.pendingExact ? '' : '+'} lines ({formatBytes(s.lagBytes)})
                  </dd>
                </div>
                <div>
                  <dt>Rejected</dt>
                  <dd>{formatCount(s.rejectedTotal)} lines</dd>
                </div>
              </dl>
              {s.lastError ? <p className="warn-text">{`${s.lastError.code}: ${s.lastError.message}`}</p> : null}
              {syncReq.error ? <ErrorNotice error={syncReq.error} onDismiss={() => clear('syncer.syncNow')} /> : null}
            </Card>
            {s.syncedTotal === 0 ? (
              <EmptyState icon="events" title="No events synced yet" testId="events-empty">
                <p>Events written by foxctl and your agents appear here once the syncer has copied them into events.db: a searchable table with facets, a histogram, traces and a live tail.</p>
                <p>
                  Emit one from a terminal: <Command>{`echo '{"operation":"hello"}' | foxctl events emit`}</Command>
                </p>
              </EmptyState>
            ) : (
              <Card title="Event viewer">
                <p className="muted" data-testid="events-viewer-soon">
                  {formatCount(s.syncedTotal)} events are in events.db. The table with filters, facets, histogram and traces will appear here; meanwhile:{' '}
                  <Command>foxctl events query --status error</Command>
                </p>
              </Card>
            )}
          </>
        )}
      </Loadable>
    </Page>
  );
}
