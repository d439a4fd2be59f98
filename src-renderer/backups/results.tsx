import type { ReactNode } from 'react';
import { rehearseResultSchema, restoreResultSchema, verifyAllResultSchema, verifyResultSchema, type RestoreResult } from '../../src-preload/contract';
import { formatBytes, formatCount, formatSeconds } from '../shared/format';

/** Words for a restore action, as the wizard shows them. */
const ACTION_TEXT: Record<RestoreResult['files'][number]['action'], string> = {
  'would-create': 'create',
  'would-replace': 'replace',
  'would-skip': 'skip',
  created: 'created',
  replaced: 'replaced',
  skipped: 'skipped',
};

/** The engine's reason for a skip in the GUI's words: the CLI's "(pass --force …)" hints become the choice this wizard offers. */
export function guiReason(reason: string): string {
  return reason
    .replace(/ \(pass --force to replace (it|its tables there)\)/, ' (choose "Replace what exists now" to replace it)')
    .replace(/; stop it or pass --force-in-use \(that process then goes on with the restored data\)/, '; stop it, or see what would change again and choose to replace it anyway')
    .replace(/ \(run "foxctl backup verify [^"]*"\)/, ' (verify the backup)');
}

/** Each file of a restore plan or result: create / replace / skip, with why a file is skipped. */
export function RestoreFilesTable({ result }: { result: RestoreResult }): ReactNode {
  return (
    <table className="table" data-testid="restore-files">
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">File</th>
          <th scope="col">Destination</th>
          <th scope="col" className="num">
            Size
          </th>
        </tr>
      </thead>
      <tbody>
        {result.files.map((f) => (
          <tr key={f.path} data-file={f.path} data-action={ACTION_TEXT[f.action]}>
            <td>
              <span className={`state-badge state-${f.action.endsWith('skip') || f.action === 'skipped' ? 'canceled' : 'ok'}`}>{ACTION_TEXT[f.action]}</span>
            </td>
            <td className="mono">{f.path}</td>
            <td className="muted small">
              {f.destination}
              {f.reason ? <div>{guiReason(f.reason)}</div> : null}
            </td>
            <td className="num">{formatBytes(f.size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A verify job's result: the verdict and every file's status. */
export function VerifyResults({ result }: { result: unknown }): ReactNode {
  const parsed = verifyResultSchema.safeParse(result);
  if (!parsed.success) return <p className="error-text">The verify result could not be read.</p>;
  const v = parsed.data;
  return (
    <div data-testid="verify-results" data-ok={v.ok}>
      <p className={v.ok ? '' : 'error-text'}>
        {v.ok
          ? `Verified: ${formatCount(v.files.length)} files match their checksums, ${v.databases_checked} databases pass integrity_check (${formatBytes(v.bytes)} in ${formatSeconds(v.duration_ms / 1000)}).`
          : `Damaged: ${v.files.filter((f) => f.status !== 'ok' && f.status !== 'not_added').length + v.archive_problems.length} problems.`}
      </p>
      {(v.warnings ?? []).map((w) => (
        <p key={w.path} className="muted">
          Warning: {w.path}: {w.detail ?? w.status}
        </p>
      ))}
      {v.archive_problems.map((p) => (
        <p key={p} className="error-text">
          {p}
        </p>
      ))}
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">File</th>
            <th scope="col" className="num">
              Size
            </th>
          </tr>
        </thead>
        <tbody>
          {v.files.map((f) => (
            <tr key={f.path} data-file={f.path} data-status={f.status}>
              <td>
                <span className={`state-badge state-${f.status === 'ok' ? 'ok' : 'error'}`}>{f.status}</span>
              </td>
              <td className="mono">
                {f.path}
                {f.detail ? <div className="error-text small">{f.detail}</div> : null}
              </td>
              <td className="num">{formatBytes(f.size)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A verify of every backup: one line per backup, damaged ones first named in the summary. */
export function VerifyAllResults({ result }: { result: unknown }): ReactNode {
  const parsed = verifyAllResultSchema.safeParse(result);
  if (!parsed.success) return <p className="error-text">The verify result could not be read.</p>;
  const v = parsed.data;
  const bytes = v.backups.reduce((n, b) => n + b.bytes, 0);
  return (
    <div data-testid="verify-all-results" data-ok={v.ok}>
      <p className={v.ok ? '' : 'error-text'}>
        {v.ok
          ? `All ${formatCount(v.verified)} backups verified: every file matches its checksum (${formatBytes(bytes)} read in ${formatSeconds(v.duration_ms / 1000)}).`
          : `${formatCount(v.failed.length)} of ${formatCount(v.verified)} backups damaged: ${v.failed.join(', ')}. Restore from one that verified, and back up again.`}
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Status</th>
            <th scope="col">Backup</th>
            <th scope="col">Format</th>
            <th scope="col" className="num">
              Files
            </th>
            <th scope="col" className="num">
              Read
            </th>
          </tr>
        </thead>
        <tbody>
          {v.backups.map((b) => (
            <tr key={`${b.format}:${b.name}`} data-verified-backup={b.name} data-outcome={b.outcome}>
              <td>
                <span className={`state-badge state-${b.outcome === 'ok' ? 'ok' : b.outcome === 'gone' ? 'canceled' : 'error'}`}>{b.outcome === 'gone' ? 'deleted meanwhile' : b.outcome}</span>
              </td>
              <td className="mono">
                {b.name}
                {b.first ? (
                  <div className="error-text small">
                    {b.problems > 1 ? `${formatCount(b.problems)} problems, the first: ` : ''}
                    {b.first}
                  </div>
                ) : null}
              </td>
              <td>{b.format}</td>
              <td className="num">{formatCount(b.files)}</td>
              <td className="num">{formatBytes(b.bytes)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A rehearsal's result: integrity of every database and the row counts that differ from live. */
export function RehearseResults({ result }: { result: unknown }): ReactNode {
  const parsed = rehearseResultSchema.safeParse(result);
  if (!parsed.success) return <p className="error-text">The rehearsal result could not be read.</p>;
  const r = parsed.data;
  return (
    <div data-testid="rehearse-results" data-ok={r.ok}>
      <p className={r.ok ? '' : 'error-text'}>
        {r.ok ? 'Test restore passed' : 'Test restore FAILED'}: {r.restored_files} files restored into a throwaway home in {formatSeconds(r.duration_ms / 1000)}.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Database</th>
            <th scope="col">Store</th>
            <th scope="col">Integrity</th>
            <th scope="col" className="num">
              Tables
            </th>
            <th scope="col" className="num">
              Rows
            </th>
          </tr>
        </thead>
        <tbody>
          {r.databases.map((d) => (
            <tr key={d.path}>
              <td className="mono">{d.path}</td>
              <td>{d.store ?? ''}</td>
              <td className={d.integrity === 'ok' ? '' : 'error-text'}>{d.integrity}</td>
              <td className="num">{formatCount(d.tables)}</td>
              <td className="num">{formatCount(d.rows)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.differences.length === 0 ? (
        <p className="muted">Row counts match the live stores.</p>
      ) : (
        <>
          <p className="muted">Row counts that differ from the live stores (expected when they changed since the backup):</p>
          <table className="table" data-testid="rehearse-differences">
            <thead>
              <tr>
                <th scope="col">Database</th>
                <th scope="col">Table</th>
                <th scope="col" className="num">
                  Backup
                </th>
                <th scope="col" className="num">
                  Live
                </th>
              </tr>
            </thead>
            <tbody>
              {r.differences.map((d) => (
                <tr key={`${d.path}:${d.table}`}>
                  <td className="mono">{d.path}</td>
                  <td className="mono">{d.table}</td>
                  <td className="num">{d.backup_rows ?? '—'}</td>
                  <td className="num">{d.live_rows ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** A finished restore: what it did and the safety backup of the replaced files. */
export function RestoreDone({ result }: { result: unknown }): ReactNode {
  const parsed = restoreResultSchema.safeParse(result);
  if (!parsed.success) return <p className="error-text">The restore result could not be read.</p>;
  const r = parsed.data;
  return (
    <div data-testid="restore-done">
      <p>
        Restored {r.created} new and {r.replaced} replaced files ({formatBytes(r.bytes)}); {r.skipped} skipped.
      </p>
      {r.safety_backup ? (
        <p data-testid="safety-backup">
          Safety backup of the replaced files: <span className="mono">{r.safety_backup.name}</span> — restore it to undo.
        </p>
      ) : (
        <p className="muted">Nothing was replaced, so no safety backup was needed.</p>
      )}
      <RestoreFilesTable result={r} />
    </div>
  );
}
