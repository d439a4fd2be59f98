import type { ReactNode } from 'react';
import { formatBytes, formatRate } from '../shared/format';
import { useStudio } from '../store';
import type { CasUpload } from './cas-slice';
import { CliEquivalent } from '../backups/backup-job';
import { casCliEquivalent } from './cli';
import { Card } from '../shared/page';
import { ProgressBar } from '../shared/progress-bar';

function UploadRow({ u }: { u: CasUpload }): ReactNode {
  // The upload's job, found by the page's own id until the answer names it: its progress is what
  // the studio received, not what the browser handed to the network.
  const job = useStudio((s) => (u.jobId ? s.jobs[u.jobId] : Object.values(s.jobs).find((j) => j.client_ref === u.ref)));
  const cancel = useStudio((s) => s.cancelCasUpload);
  const done = u.state === 'uploading' ? (job?.progress.done ?? 0) : u.size;
  const seconds = ((u.finishedAt ?? Date.now()) - u.startedAt) / 1000;
  const rate = u.state === 'uploading' ? (job?.progress.rate ?? (seconds > 0 && done > 0 ? done / seconds : null)) : seconds > 0 ? u.size / seconds : null;
  return (
    <li className={`cas-upload cas-upload-${u.state}`} data-testid="cas-upload" data-state={u.state} data-name={u.name} data-received={done}>
      <div className="cas-upload-head">
        <span className="cas-upload-name" title={u.name}>
          {u.name}
        </span>
        <span className="muted small">
          {u.state === 'uploading' ? 'received ' : ''}
          {formatBytes(done)} of {formatBytes(u.size)} · {formatRate(rate === null ? null : Math.round(rate), 'bytes')}
        </span>
        {u.state === 'uploading' ? (
          <button type="button" className="btn btn-quiet" onClick={() => cancel(u.key)}>
            Cancel
          </button>
        ) : null}
      </div>
      {u.state === 'uploading' ? <ProgressBar done={done} total={u.size} label={`Uploading ${u.name}`} /> : null}
      <div className="small">
        {u.state === 'stored' ? <span className="good-text">Stored</span> : null}
        {u.state === 'existed' ? <span className="muted">Already stored</span> : null}
        {u.state === 'canceled' ? <span className="muted">Canceled: nothing was stored</span> : null}
        {u.state === 'error' ? <span className="error-text">{u.error}</span> : null}
        {u.digest ? (
          <>
            {' '}
            <code className="mono" title={u.digest}>
              {u.digest}
            </code>
          </>
        ) : null}
      </div>
    </li>
  );
}

/** The files of the current drop: one row each with progress, throughput and Cancel, and a batch total. */
export function CasUploads(): ReactNode {
  const uploads = useStudio((s) => s.casUploads);
  const clear = useStudio((s) => s.clearCasUploads);
  if (uploads.length === 0) return null;
  const total = uploads.reduce((n, u) => n + u.size, 0);
  const count = (state: CasUpload['state']): number => uploads.filter((u) => u.state === state).length;
  const running = count('uploading');
  return (
    <Card
      title={`Uploads (${uploads.length})`}
      aside={
        <span className="muted small" data-testid="cas-upload-total">
          {formatBytes(total)} · {count('stored')} new · {count('existed')} already stored
          {running > 0 ? ` · ${running} in progress` : ''}
          {count('error') > 0 ? ` · ${count('error')} failed` : ''}
          {running === 0 ? (
            <button type="button" className="btn btn-quiet" onClick={clear}>
              Clear
            </button>
          ) : null}
        </span>
      }
    >
      <ul className="cas-uploads">
        {uploads.map((u) => (
          <UploadRow key={u.key} u={u} />
        ))}
      </ul>
      <CliEquivalent cli={casCliEquivalent({ action: 'put', files: uploads.map((u) => u.name) })} />
    </Card>
  );
}
