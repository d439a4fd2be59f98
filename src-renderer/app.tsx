import { useEffect, type ReactNode } from 'react';
import { Sidebar } from './shared/sidebar';
import { useStudio } from './store';
import { isFinal } from './jobs/jobs-slice';
import { watchNightlyFailures } from './backups/nightly-notify';
import { startUrlSync } from './url-sync';
// The views in the order their styles had in the one stylesheet (each view imports its area's CSS).
import { StoresView } from './stores/stores-view';
import { CasView } from './cas/cas-view';
import { EventsView } from './events/events-view';
import { BackupsView } from './backups/backups-view';
import { SettingsView } from './settings/settings-view';
import { JobsView } from './jobs/jobs-view';
import { NoTokenView } from './shared/no-token';
import { OverviewView } from './overview/overview-view';

/** The app: navigation on the left, the current view on the right. */
export function App(): ReactNode {
  const view = useStudio((s) => s.view);
  const connection = useStudio((s) => s.connection);

  useEffect(() => {
    const s = useStudio.getState();
    const stopConnection = s.watchConnection();
    const stopUrl = startUrlSync();
    const stopJobs = s.watchJobs();
    const stopSyncer = s.watchSyncer();
    const stopNightly = watchNightlyFailures();
    void s.loadInfo();
    void s.loadJobs();
    // When a job ends, what it changed (a backup, a CAS object) shows on the Overview.
    const stopRefresh = useStudio.subscribe((now, before) => {
      const ended = Object.values(now.jobs).some((j) => isFinal(j.state) && before.jobs[j.id] && !isFinal(before.jobs[j.id]!.state));
      if (ended && now.view === 'overview') void now.loadOverview();
    });
    return () => {
      stopConnection();
      stopUrl();
      stopJobs();
      stopSyncer();
      stopNightly();
      stopRefresh();
    };
  }, []);

  if (connection === 'no-token') return <NoTokenView />;
  return (
    <div className="layout">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Sidebar />
      <main id="main" className="main">
        {view === 'overview' ? <OverviewView /> : null}
        {view === 'stores' ? <StoresView /> : null}
        {view === 'cas' ? <CasView /> : null}
        {view === 'events' ? <EventsView /> : null}
        {view === 'backups' ? <BackupsView /> : null}
        {view === 'jobs' ? <JobsView /> : null}
        {view === 'settings' ? <SettingsView /> : null}
      </main>
    </div>
  );
}
