import type { ReactNode } from 'react';
import type { Job } from '../../src-preload/contract';
import { formatAmount, formatRate, formatSeconds } from './format';
import { useStudio } from '../store';
import { IDLE } from './requests-slice';
import { ProgressBar } from './progress-bar';

/** Cancel for a running job; shows "Canceling…" while the request runs. */
export function JobCancelButton({ job }: { job: Job }): ReactNode {
  const cancel = useStudio((s) => s.cancelJob);
  const req = useStudio((s) => s.requests[`jobs.cancel:${job.id}`] ?? IDLE);
  return (
    <button type="button" className="btn btn-danger" onClick={() => void cancel(job.id)} disabled={req.loading} aria-label={`Cancel ${job.title}`}>
      {req.loading ? 'Canceling…' : 'Cancel'}
    </button>
  );
}

/** A running job's progress: the bar, done of total with percent, rate, ETA and its current step. */
export function JobProgressFigures({ job }: { job: Job }): ReactNode {
  const p = job.progress;
  return (
    <>
      <ProgressBar done={p.done} total={p.total} label={`${job.title} progress`} />
      <div className="job-figures">
        <span>
          {formatAmount(p.done, p.unit)}
          {p.total !== null ? ` of ${formatAmount(p.total, p.unit)}` : ''}
          {p.total ? ` · ${Math.floor((p.done / p.total) * 100)}%` : ''}
        </span>
        <span>{formatRate(p.rate, p.unit)}</span>
        <span>{p.eta !== null ? `${formatSeconds(p.eta)} left` : 'estimating…'}</span>
      </div>
      {p.message ? <div className="job-message">{p.message}</div> : null}
    </>
  );
}
