import { useEffect, type ReactNode } from 'react';
import type { CasLocation } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';
import { Card } from '../shared/page';

/** What a merge is given as its target: a local place by its path, a remote backend by name. */
function targetOf(active: CasLocation): string {
  return active.backend === 'file' || active.backend === 'sqlite' ? active.location : active.backend;
}

/** The merge job's outcome in one line. */
function MergeOutcome({ result }: { result: unknown }): ReactNode {
  const r = result as { objects_migrated: number; bytes_migrated: number; objects_skipped: number; errors: number } | undefined;
  if (!r) return null;
  return (
    <p className={r.errors ? 'error-text small' : 'good-text small'} data-testid="cas-merge-result">
      Merged {formatCount(r.objects_migrated)} objects ({formatBytes(r.bytes_migrated)}), each re-hashed; {formatCount(r.objects_skipped)} were there already
      {r.errors ? `; ${r.errors} could not be copied (see Jobs)` : ''}. Nothing was removed from the source.
    </p>
  );
}

/**
 * Where the home's objects are, shown when more than the configured store holds some: the Go
 * components' sqlite cas.db, the file store of the Go cas CLI. Each other place can be merged
 * into the configured one as a job.
 */
export function CasLocations(): ReactNode {
  const locations = useStudio((s) => s.casLocations);
  const load = useStudio((s) => s.loadCasLocations);
  const merge = useStudio((s) => s.mergeCas);
  const reloadCas = useStudio((s) => s.loadCas);
  const mergeState = useStudio((s) => s.requests['cas.merge'] ?? IDLE);
  const clearError = useStudio((s) => s.clearError);
  const current = useStudio((s) => s.casMerge);
  const job = useStudio((s) => (s.casMerge ? s.jobs[s.casMerge.jobId] : undefined));
  useEffect(() => void load(), [load]);
  const ended = job?.state === 'ok' || job?.state === 'error' || job?.state === 'canceled';
  useEffect(() => {
    if (ended) {
      void load();
      void reloadCas();
    }
  }, [ended, load, reloadCas]);
  const active = locations?.find((l) => l.active);
  const shown = (locations ?? []).filter((l) => l.active || l.objects > 0 || l.error);
  if (!active || (shown.every((l) => l.active) && !current)) return null;
  const running = job?.state === 'running' || job?.state === 'queued';
  // Once every object of the other places is here too, the card only informs.
  const missing = shown.some((l) => !l.active && (l.pending !== 0 || l.error));
  return (
    <Card title={missing ? 'Objects in more than one place' : 'Other places of this home'} className={`cas-locations${missing ? ' card-warn' : ''}`}>
      <p className="muted small">
        The Go foxctl keeps two stores: its components write a sqlite <code className="mono">cas.db</code>, its <code className="mono">cas</code> command the file
        store. Objects of one are not seen through the other until they are merged.
      </p>
      <div role="table" aria-label="CAS places" className="cas-places" data-testid="cas-locations">
        {shown.map((l) => (
          <div role="row" key={`${l.backend}:${l.location}`} className="cas-place" data-testid="cas-location" data-backend={l.backend} data-active={l.active}>
            <span role="cell" className="cas-place-where">
              <span>
                <strong>{l.backend}</strong> {l.active ? <span className="tag cas-pinned">this view</span> : null}
              </span>
              <span className="mono small cas-break" title={l.location}>
                {l.location}
              </span>
              <span className="muted small">{l.used_by.join(' · ')}</span>
            </span>
            <span role="cell" className="num" data-testid="cas-location-objects">
              {l.error ? 'unreadable' : `${formatCount(l.objects)} ${l.objects === 1 ? 'object' : 'objects'}`}
            </span>
            <span role="cell" className="num">
              {formatBytes(l.bytes)}
              {l.pinned ? <span className="muted small"> · {formatCount(l.pinned)} pinned</span> : null}
            </span>
            <span role="cell">
              {l.error ? (
                <span className="error-text small">{l.error}</span>
              ) : l.active || l.objects === 0 ? null : l.pending === 0 ? (
                <span className="good-text small" data-testid="cas-location-pending">
                  all here too
                </span>
              ) : (
                <>
                  <span className="muted small" data-testid="cas-location-pending">
                    {l.pending === null ? 'not compared' : `${formatCount(l.pending)} not here`}
                  </span>{' '}
                  <button type="button" className="btn" disabled={running || mergeState.loading} onClick={() => void merge(l.location, targetOf(active))}>
                    Merge into {active.backend}
                  </button>
                </>
              )}
            </span>
          </div>
        ))}
      </div>
      {mergeState.error ? <ErrorNotice error={mergeState.error} onDismiss={() => clearError('cas.merge')} /> : null}
      {job && running ? (
        <div className="cas-merge-job" data-testid="cas-merge-job">
          <JobProgressFigures job={job} />
          <JobCancelButton job={job} />
        </div>
      ) : null}
      {job?.state === 'ok' ? <MergeOutcome result={job.result} /> : null}
      {job?.state === 'error' ? <p className="error-text small">{job.error?.message}</p> : null}
      {job?.state === 'canceled' ? <p className="muted small">Canceled: what was merged stays; merging again skips it.</p> : null}
      {current ? <CliEquivalent cli={current.cli} /> : null}
    </Card>
  );
}
