import { useEffect, useState, type ReactNode } from 'react';
import type { BridgeError } from '../../src-preload/contract';
import { Command, EmptyState } from '../shared/empty-state';
import { ErrorNotice } from '../shared/error-notice';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';
import { eventsCliCommand } from './cli';
import { EXPORT_FORMATS, type ExportFormat } from './events-slice';
import { EventsDetail } from './detail';
import { EventsFacets } from './facets';
import { EventsFilters } from './filters';
import { EventsHistogram } from './histogram';
import { EventsSource } from './source';
import { EventsStreams } from './streams';
import { EventsSyncer } from './syncer';
import { EventsTable } from './table';
import { Card, Page } from '../shared/page';
import { RefreshButton } from '../shared/refresh-button';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import './events.css';

/** The current filter as a `foxctl events query ...` line with a Copy button. */
function CliLine(): ReactNode {
  const filter = useStudio((s) => s.evFilter);
  const source = useStudio((s) => s.evSource);
  const sort = useStudio((s) => s.evSort);
  const [copied, setCopied] = useState(false);
  const cli = eventsCliCommand(filter, { db: source?.file ?? null, sort });
  return (
    <div className="events-cli">
      <code className="command mono" data-testid="events-cli">
        {cli}
      </code>
      <button
        type="button"
        className="btn btn-quiet"
        onClick={() => {
          void navigator.clipboard?.writeText(cli).then(() => setCopied(true));
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

const FORMAT_LABELS: Record<ExportFormat, string> = { ndjson: 'NDJSON', csv: 'CSV', json: 'JSON' };

/**
 * Export of every event the filter matches (all pages, not only those loaded), in the table's
 * sort: a download in browser mode, a save dialog and a job with progress in the desktop app.
 */
function ExportControl({ count }: { count: number | null }): ReactNode {
  const run = useStudio((s) => s.exportEvents);
  const req = useStudio((s) => s.requests['events.export'] ?? IDLE);
  const [format, setFormat] = useState<ExportFormat>('csv');
  return (
    <div className="events-export" role="group" aria-label="Export">
      <select aria-label="Export format" className="input" value={format} onChange={(e) => setFormat(e.target.value as ExportFormat)} data-testid="events-export-format">
        {EXPORT_FORMATS.map((f) => (
          <option key={f} value={f}>
            {FORMAT_LABELS[f]}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn"
        disabled={req.loading || count === 0}
        title={count === 0 ? 'nothing matches the filter' : `every event the filter matches${count !== null ? ` (${formatCount(count)})` : ''}, all pages`}
        onClick={() => void run(format)}
        data-testid="events-export"
      >
        {req.loading ? 'Exporting…' : 'Export'}
      </button>
    </div>
  );
}

/** What became of the last export: the download started, or the desktop job's progress. */
function ExportStatus(): ReactNode {
  const exp = useStudio((s) => s.evExport);
  const job = useStudio((s) => (s.evExport?.jobId ? s.jobs[s.evExport.jobId] : undefined));
  const error = useStudio((s) => s.requests['events.export']?.error ?? null);
  const clear = useStudio((s) => s.clearError);
  if (error) return <ErrorNotice error={error} onDismiss={() => clear('events.export')} />;
  if (!exp) return null;
  let text: ReactNode;
  if (exp.download) text = <>Download of {exp.path} started: your browser shows its progress.</>;
  else if (!job || job.state === 'running' || job.state === 'queued')
    text = job ? <JobProgressFigures job={job} /> : <>Exporting to {exp.path}…</>;
  else if (job.state === 'ok') text = <>Exported {formatCount(job.progress.done)} events to <span className="mono">{exp.path}</span>.</>;
  else text = <>Export to <span className="mono">{exp.path}</span> {job.state === 'canceled' ? 'canceled' : `failed: ${job.error?.message ?? 'unknown error'}`}; no file was left.</>;
  return (
    <div className="events-export-status small" role="status" data-testid="events-export-status">
      {text}
      {job && (job.state === 'running' || job.state === 'queued') ? <JobCancelButton job={job} /> : null}
    </div>
  );
}

const TABLE_REQUESTS = ['events.query', 'events.count', 'events.histogram', 'events.facets', 'events.more', 'events.at'];

/** Which request's error the table area shows: the first failing of page, count, histogram, facets. */
function useTableError(): { key: string; error: BridgeError } | null {
  const key = useStudio((s) => TABLE_REQUESTS.find((k) => s.requests[k]?.error) ?? null);
  const error = useStudio((s) => (key ? (s.requests[key]?.error ?? null) : null));
  return key && error ? { key, error } : null;
}

/**
 * Events: a Datasette/Honeycomb-style viewer over events.db (or another events.db opened
 * read-only): filters with time presets, a histogram to zoom, a virtualized keyset-paged table,
 * facets, row detail with the trace waterfall, a live tail, and the syncer.
 */
export function EventsView(): ReactNode {
  const syncer = useStudio((s) => s.syncer);
  const init = useStudio((s) => s.initEvents);
  const load = useStudio((s) => s.loadEvents);
  const rows = useStudio((s) => s.evRows);
  const count = useStudio((s) => s.evCount);
  const hist = useStudio((s) => s.evHistogram);
  const selected = useStudio((s) => s.evSelected);
  const filter = useStudio((s) => s.evFilter);
  const preset = useStudio((s) => s.evPreset);
  const source = useStudio((s) => s.evSource);
  const closeSource = useStudio((s) => s.closeEventsFile);
  const live = useStudio((s) => s.evLive);
  const setLive = useStudio((s) => s.setLive);
  const pending = useStudio((s) => s.evPending);
  const pendingLines = useStudio((s) => s.evPendingLines);
  const homeTotal = useStudio((s) => s.evHomeTotal);
  const loading = useStudio((s) => (s.requests['events.query'] ?? IDLE).loading);
  const clear = useStudio((s) => s.clearError);
  const failure = useTableError();
  const countFailed = useStudio((s) => (s.requests['events.count'] ?? IDLE).error !== null);
  // On a short window (a 1024x700 laptop) the filters and the chart start folded, so the table has the room.
  const [filtersOpen, setFiltersOpen] = useState(() => window.innerHeight >= 820);
  const [chartOpen, setChartOpen] = useState(() => window.innerHeight >= 820);
  useEffect(() => {
    void init();
  }, [init]);
  // Leaving the view stops the live tail's polling.
  useEffect(() => () => useStudio.getState().setLive(false), []);
  const errors = hist?.reduce((n, b) => n + b.errors, 0) ?? null;
  const empty = !source && homeTotal === 0 && pending.length === 0 && !live;
  return (
    <Page
      id="events"
      title="Events"
      subtitle="Structured events of foxctl and its agents: NDJSON streams synced into events.db."
      actions={
        <>
          <button
            type="button"
            className={`btn events-live${live ? ' events-live-on' : ''}`}
            aria-pressed={live}
            disabled={source !== null}
            title={source ? 'the live tail follows the home\'s events, not an opened file' : 'show new events as they are written and synced'}
            onClick={() => setLive(!live)}
            data-testid="events-live"
          >
            <span className="events-live-dot" aria-hidden="true" /> {live ? 'Live' : 'Live tail'}
          </button>
          <RefreshButton onRefresh={() => void init()} busy={loading} />
        </>
      }
    >
      {source ? (
        <div className="notice notice-info events-source-banner" data-testid="events-source-banner">
          <div className="notice-main">
            <div className="notice-title">Viewing another events.db, read-only</div>
            <div className="notice-message mono">{source.file}</div>
            <div className="notice-hint">
              table <code>{source.table}</code> · {formatCount(source.events)} events{source.fts ? '' : ' · free text scans the table (no search index in this file)'}
            </div>
          </div>
          <div className="notice-actions">
            <button type="button" className="btn" onClick={() => void closeSource()}>
              Back to this home's events
            </button>
          </div>
        </div>
      ) : null}
      {empty ? (
        <EmptyState icon="events" title="No events in events.db yet" testId="events-empty">
          <p>Events written by foxctl and your agents appear here once the syncer has copied them into events.db: a searchable table with facets, a histogram, traces and a live tail.</p>
          <p>
            Emit one from a terminal: <Command>{`echo '{"operation":"hello"}' | foxctl events emit`}</Command>
          </p>
        </EmptyState>
      ) : (
        <>
          <Card className={`events-filter-card${filtersOpen ? '' : ' events-folded'}`}>
            <div className="events-fold-row">
              <button type="button" className="btn btn-quiet events-fold" aria-expanded={filtersOpen} aria-controls="events-filter-body" onClick={() => setFiltersOpen(!filtersOpen)} data-testid="events-toggle-filters">
                {filtersOpen ? '▾ Filters' : '▸ Filters'}
              </button>
              {filtersOpen ? null : <CliLine />}
            </div>
            {filtersOpen ? (
              <div id="events-filter-body">
                <EventsFilters />
                <CliLine />
              </div>
            ) : null}
          </Card>
          {failure ? <ErrorNotice error={failure.error} onDismiss={() => clear(failure.key)} /> : null}
          <ExportStatus />
          <Card
            className={`events-hist-card${failure ? ' events-stale' : ''}`}
            title={
              <span data-testid="events-count" data-count={count ?? ''}>
                {count !== null ? `${formatCount(count)} ${count === 1 ? 'event' : 'events'}` : countFailed ? 'Count unavailable' : 'Counting…'}
                {errors !== null && errors > 0 && filter.status !== 'error' ? <span className="error-text events-err-count"> · {formatCount(errors)} errors</span> : null}
              </span>
            }
            aside={
              <span className="events-hist-actions">
                <ExportControl count={count} />
                {preset === 'custom' ? (
                  <button type="button" className="btn btn-quiet" onClick={() => void (source ? load({ ...filter, since: undefined, until: undefined }, 'all') : load({ ...filter, since: '24h', until: undefined }, '24h'))}>
                    Reset zoom
                  </button>
                ) : null}
                <button type="button" className="btn btn-quiet events-fold" aria-expanded={chartOpen} onClick={() => setChartOpen(!chartOpen)} data-testid="events-toggle-chart">
                  {chartOpen ? 'Hide chart' : 'Show chart'}
                </button>
              </span>
            }
          >
            {chartOpen ? hist ? <EventsHistogram buckets={hist} onZoom={(since, until) => void load({ ...filter, since, until }, 'custom')} /> : <div className="events-hist-placeholder" /> : null}
          </Card>
          {live ? (
            <p className="small muted events-live-note" data-testid="events-live-note">
              Live: new events appear as they are written{pendingLines > 0 ? ` · ${formatCount(pendingLines)} line(s) written but not synced yet (marked "not synced")` : ''}.
            </p>
          ) : null}
          <div className="events-layout">
            <Card className={`events-table-card${failure ? ' events-stale' : ''}`}>
              {rows ? (
                <>
                  <EventsTable rows={rows} pending={live ? pending : []} />
                  {rows.length === 0 && preset !== 'all' && !source ? (
                    <p className="small">
                      <button type="button" className="link" onClick={() => void load({ ...filter, since: undefined, until: undefined }, 'all')}>
                        Search all time instead
                      </button>
                    </p>
                  ) : null}
                </>
              ) : (
                <div className="loading" role="status" data-testid="events-loading">
                  <span className="spinner" aria-hidden="true" /> Loading…
                </div>
              )}
            </Card>
            <EventsFacets />
          </div>
        </>
      )}
      {selected ? <EventsDetail event={selected} /> : null}
      {source ? null : <EventsStreams filter={filter} />}
      <div className="events-bottom">
        {syncer ? <EventsSyncer s={syncer} /> : null}
        <EventsSource />
      </div>
    </Page>
  );
}
