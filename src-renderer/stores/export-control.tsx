import { useState, type ReactNode } from 'react';
import type { CallArgs } from '../../src-preload/contract';
import { ErrorNotice } from '../shared/error-notice';
import { formatCount } from '../shared/format';
import { JobCancelButton, JobProgressFigures } from '../shared/job-progress';
import { IDLE } from '../shared/requests-slice';
import { useStudio } from '../store';
import { STORE_EXPORT_FORMATS, type StoreExportFormat, type StoreExportScope } from './stores-slice';

const FORMAT_LABELS: Record<StoreExportFormat, string> = { csv: 'CSV', json: 'JSON' };

/**
 * Export of every row a table shows (its sort and WHERE, all pages) or of a console statement's
 * whole result (not only the rows under the cap): a format and a button, as in the Events view.
 */
export function StoreExportControl({ scope, what, title }: { scope: StoreExportScope; what: CallArgs<'db.exportLink'>['what'] | null; title: string }): ReactNode {
  const run = useStudio((s) => s.exportStore);
  const req = useStudio((s) => s.requests[`db.export.${scope}`] ?? IDLE);
  const [format, setFormat] = useState<StoreExportFormat>('csv');
  const label = scope === 'table' ? 'Export rows' : 'Export result';
  return (
    <span className="store-export" role="group" aria-label={label} data-testid={`store-export-${scope}`}>
      <select aria-label={`${label}: format`} className="input" value={format} onChange={(e) => setFormat(e.target.value as StoreExportFormat)}>
        {STORE_EXPORT_FORMATS.map((f) => (
          <option key={f} value={f}>
            {FORMAT_LABELS[f]}
          </option>
        ))}
      </select>
      <button type="button" className="btn" disabled={req.loading || what === null} title={title} aria-label={label} onClick={() => what && void run(scope, what, format)}>
        {req.loading ? 'Exporting…' : 'Export'}
      </button>
    </span>
  );
}

/** What became of the last export of a scope: the download started, or the desktop job's progress; or the call's error. */
export function StoreExportStatus({ scope }: { scope: StoreExportScope }): ReactNode {
  const exp = useStudio((s) => (s.storeExport?.scope === scope ? s.storeExport : null));
  const job = useStudio((s) => (s.storeExport?.scope === scope && s.storeExport.jobId ? s.jobs[s.storeExport.jobId] : undefined));
  const error = useStudio((s) => s.requests[`db.export.${scope}`]?.error ?? null);
  const clear = useStudio((s) => s.clearError);
  if (error) return <ErrorNotice error={error} onDismiss={() => clear(`db.export.${scope}`)} />;
  if (!exp) return null;
  let text: ReactNode;
  if (exp.download) text = <>Download of <span className="mono">{exp.path}</span> started: your browser shows its progress.</>;
  else if (!job || job.state === 'running' || job.state === 'queued') text = job ? <JobProgressFigures job={job} /> : <>Exporting to {exp.path}…</>;
  else if (job.state === 'ok') text = <>Exported {formatCount(job.progress.done)} rows to <span className="mono">{exp.path}</span>.</>;
  else text = <>Export to <span className="mono">{exp.path}</span> {job.state === 'canceled' ? 'canceled' : `failed: ${job.error?.message ?? 'unknown error'}`}; no file was left.</>;
  return (
    <div className="store-export-status small" role="status" data-testid={`store-export-status-${scope}`}>
      {text}
      {job && (job.state === 'running' || job.state === 'queued') ? <JobCancelButton job={job} /> : null}
    </div>
  );
}
