import { useEffect, type ReactNode } from 'react';
import { Sidebar } from './components/sidebar';
import { useStudio } from './store';
import { isFinal } from './store/jobs';
import { BackupsView } from './views/backups';
import { CasView } from './views/cas';
import { EventsView } from './views/events';
import { JobsView } from './views/jobs';
import { NoTokenView } from './views/no-token';
import { OverviewView } from './views/overview';
import { SettingsView } from './views/settings';
import { StoresView } from './views/stores';

/** The app: navigation on the left, the current view on the right. */
export function App(): ReactNode {
  const view = useStudio((s) => s.view);
  const connection = useStudio((s) => s.connection);

  useEffect(() => {
    const s = useStudio.getState();
    const stopConnection = s.watchConnection();
    const stopJobs = s.watchJobs();
    const stopSyncer = s.watchSyncer();
    void s.loadInfo();
    void s.loadJobs();
    // When a job ends, what it changed (a backup, a CAS object) shows on the Overview.
    const stopRefresh = useStudio.subscribe((now, before) => {
      const ended = Object.values(now.jobs).some((j) => isFinal(j.state) && before.jobs[j.id] && !isFinal(before.jobs[j.id]!.state));
      if (ended && now.view === 'overview') void now.loadOverview();
    });
    return () => {
      stopConnection();
      stopJobs();
      stopSyncer();
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
