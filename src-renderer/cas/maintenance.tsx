import { useState, type ReactNode } from 'react';
import type { Job } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { casCliEquivalent } from './cli';
import { shortDigest } from './object-list';
import { ErrorNotice } from '../shared/error-notice';
import { Card } from '../shared/page';
import { ProgressBar } from '../shared/progress-bar';

/** Ages the gc picker offers (Go durations, as `foxctl cas gc --older-than` takes them). */
const AGES = [
  ['0s', 'any age'],
  ['1h', '1 hour'],
  ['24h', '1 day'],
  ['72h', '3 days (default)'],
  ['168h', '7 days'],
  ['720h', '30 days'],
] as const;

/** A job's live state as a progress line, or its end (gc and verify). */
export function JobLine({ job, label }: { job: Job; label: string }): ReactNode {
  if (job.state === 'running' || job.state === 'queued') {
    return (
      <div data-testid={`${label}-progress`}>
        <ProgressBar done={job.progress.done} total={job.progress.total} label={label} />
        <span className="muted small">
          {formatCount(job.progress.done)} of {job.progress.total === null ? '…' : formatCount(job.progress.total)} objects
        </span>
      </div>
    );
  }
  if (job.state === 'error' || job.state === 'canceled') return <p className="error-text small">{job.error?.message ?? job.state}</p>;
  return null;
}

/** Garbage collection: an age, a dry run that lists what would go (and the pinned kept), then the run as a job. */
export function CasGcPanel(): ReactNode {
  const [age, setAge] = useState<string>('72h');
  const dry = useStudio((s) => s.casGcDryRun);
  const dryRun = useStudio((s) => s.casGcDryRunNow);
  const run = useStudio((s) => s.casGcRun);
  const jobId = useStudio((s) => s.casGcJob);
  const job = useStudio((s) => (jobId ? s.jobs[jobId] : undefined));
  const state = useStudio((s) => s.requests['cas.gc'] ?? IDLE);
  const result = job?.state === 'ok' ? (job.result as { objects_deleted: number; bytes_freed: number }) : null;
  return (
    <Card title="Garbage collection" className="cas-gc">
      <div data-testid="cas-gc">
        <p className="muted small">Removes unpinned objects created (or last stored) before the age you pick. Pinned objects are always kept. Start with a dry run.</p>
        <div className="cas-detail-actions">
          <label className="small">
            Older than{' '}
            <select aria-label="Older than" className="input" value={age} onChange={(e) => setAge(e.target.value)}>
              {AGES.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <button type="button" className="btn" disabled={state.loading} onClick={() => void dryRun(age)}>
            Dry run
          </button>
          <button type="button" className="btn btn-danger" disabled={!dry || state.loading || job?.state === 'running'} onClick={() => void run(age)}>
            Collect{dry ? ` ${formatCount(dry.objects_deleted)} ${dry.objects_deleted === 1 ? 'object' : 'objects'}` : ''}
          </button>
        </div>
        {state.error ? <ErrorNotice error={state.error} /> : null}
        {dry ? (
          <div data-testid="cas-gc-dry-run">
            <p>
              Would delete <strong>{formatCount(dry.objects_deleted)}</strong> {dry.objects_deleted === 1 ? 'object' : 'objects'} and free <strong>{formatBytes(dry.bytes_freed)}</strong>; {formatCount(dry.kept_pinned.length)} pinned kept.
            </p>
            <ul className="cas-gc-list">
              {dry.candidates.slice(0, 200).map((c) => (
                <li key={c.digest} data-testid="cas-gc-candidate" data-digest={c.digest}>
                  <code className="mono">{shortDigest(c.digest)}</code> <span className="muted small">{formatBytes(c.size_bytes)} · {c.kind}</span> <span className="tag">delete</span>
                </li>
              ))}
              {dry.kept_pinned.slice(0, 200).map((c) => (
                <li key={c.digest} data-testid="cas-gc-kept" data-digest={c.digest}>
                  <code className="mono">{shortDigest(c.digest)}</code> <span className="muted small">{formatBytes(c.size_bytes)} · {c.kind}</span> <span className="tag cas-pinned">kept: pinned</span>
                </li>
              ))}
            </ul>
          </div>
        ) : null}
        {job ? <JobLine job={job} label="gc" /> : null}
        {result ? (
          <p data-testid="cas-gc-result">
            Deleted {formatCount(result.objects_deleted)} objects, freed {formatBytes(result.bytes_freed)}.
          </p>
        ) : null}
        <CliEquivalent cli={`${casCliEquivalent({ action: 'gc', olderThan: age, dryRun: true })}\n${casCliEquivalent({ action: 'gc', olderThan: age, dryRun: false })}`} />
      </div>
    </Card>
  );
}
