import { useState, type ReactNode } from 'react';
import { formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import type { StoreRef } from './stores-slice';
import { BackupJob, CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';

/** One table of a db migrate report (the engine's TableReport). */
interface TableReport {
  table: string;
  source_rows: number;
  target_rows: number | null;
  match: boolean | null;
  rows_copied: number;
  error?: { code: string; message: string };
}

/** The part of a db.migrate job's result (the engine's DbMigrateReport) the wizard shows. */
interface MigrateReport {
  target: string;
  dialect: 'postgres' | 'sqlite';
  dry_run: boolean;
  stores: { store: string; target: string | null; schema: string | null; note?: string; skipped_reason?: string; tables: TableReport[]; skipped_tables: { table: string; reason: string }[] }[];
  rows_copied: number;
  errors: number;
  failures: { store: string; table: string | null; code: string; message: string }[];
  ok: boolean;
  duration_ms: number;
}

type Kind = 'postgres' | 'turso';

/** Why a target text cannot be used yet, or null (checked as the user types; the engine checks again). */
export function targetProblem(kind: Kind, dsn: string): string | null {
  const t = dsn.trim();
  if (t === '') return kind === 'postgres' ? 'enter a PostgreSQL DSN' : 'enter a Turso / libSQL URL';
  if (kind === 'postgres') return /^postgres(ql)?:\/\/\S+$/.test(t) ? null : 'a PostgreSQL DSN starts with postgres:// or postgresql://';
  return /^(libsql|https?|wss?):\/\/\S+$|^file:\S+$/.test(t) ? null : 'a libSQL URL starts with libsql://, https://, ws:// or file:';
}

/** Source rows vs target rows per table, with a verdict per row. */
function Comparison({ report }: { report: MigrateReport }): ReactNode {
  const rows = report.stores.flatMap((s) => s.tables.map((t) => ({ store: s.store, ...t })));
  return (
    <table className="table store-migrate-table" data-testid="store-migrate-comparison">
      <thead>
        <tr>
          <th scope="col">Table</th>
          <th scope="col" className="num">
            Source rows
          </th>
          <th scope="col" className="num">
            {report.dry_run ? 'Target' : 'Target rows'}
          </th>
          <th scope="col">{report.dry_run ? '' : 'Match'}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((t) => (
          <tr key={`${t.store}.${t.table}`} data-table={t.table} data-match={t.match === null ? '' : String(t.match)}>
            <th scope="row" className="mono">
              {t.table}
            </th>
            <td className="num">{formatCount(t.source_rows)}</td>
            <td className="num">{t.target_rows === null ? <span className="muted">{report.dry_run ? 'not copied yet' : '—'}</span> : formatCount(t.target_rows)}</td>
            <td>
              {t.error ? (
                <span className="error-text small">
                  {t.error.code}: {t.error.message}
                </span>
              ) : t.match === null ? null : t.match ? (
                <span className="state-badge state-ok">✓ same</span>
              ) : (
                <span className="state-badge state-error">✗ differs</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Notes of the report: class caveats, tables left out, failures. */
function ReportNotes({ report }: { report: MigrateReport }): ReactNode {
  return (
    <>
      {report.stores.map((s) =>
        s.note || s.skipped_reason ? (
          <p key={s.store} className="warn-text small">
            {s.store}: {s.skipped_reason ?? s.note}
          </p>
        ) : null,
      )}
      {report.stores.flatMap((s) => s.skipped_tables).length > 0 ? (
        <p className="muted small">
          Left out:{' '}
          {report.stores
            .flatMap((s) => s.skipped_tables)
            .map((t) => `${t.table} (${t.reason})`)
            .join(', ')}
        </p>
      ) : null}
    </>
  );
}

type Step = { at: 'target' } | { at: 'dry'; jobId: string; cli: string } | { at: 'run'; jobId: string; cli: string };

/**
 * "Move to PostgreSQL / Turso": target, dry run (tables and rows that would be copied), then the
 * copy as a job with per-table progress and Cancel, ending with the row counts of source and
 * target side by side. The DSN and token stay in this form: what comes back is masked.
 */
export function StoreMigrateWizard({ store }: { store: StoreRef }): ReactNode {
  const start = useStudio((s) => s.startStoreMigrate);
  const req = useStudio((s) => s.requests['db.migrate'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [kind, setKind] = useState<Kind>('postgres');
  const [dsn, setDsn] = useState('');
  const [token, setToken] = useState('');
  const [drop, setDrop] = useState(false);
  const [touched, setTouched] = useState(false);
  const [step, setStep] = useState<Step>({ at: 'target' });
  const problem = targetProblem(kind, dsn);
  const input = (dryRun: boolean) => ({
    targetDsn: dsn.trim(),
    ...(kind === 'turso' && token ? { targetToken: token } : {}),
    stores: [store.name],
    ...(drop ? { drop: true } : {}),
    dryRun,
  });
  const begin = async (dryRun: boolean): Promise<void> => {
    const ref = await start(input(dryRun));
    if (ref) setStep({ at: dryRun ? 'dry' : 'run', jobId: ref.jobId, cli: ref.cli });
  };
  const form = (
    <form
      className="store-migrate-form"
      onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        if (!problem) void begin(true);
      }}
    >
      <fieldset className="store-migrate-kind" aria-label="Target">
        <label>
          <input type="radio" name="store-migrate-kind" checked={kind === 'postgres'} onChange={() => setKind('postgres')} /> PostgreSQL
        </label>
        <label>
          <input type="radio" name="store-migrate-kind" checked={kind === 'turso'} onChange={() => setKind('turso')} /> Turso / libSQL
        </label>
      </fieldset>
      <label className="store-migrate-field">
        <span>{kind === 'postgres' ? 'Target DSN' : 'Target URL'}</span>
        <input
          className="input mono"
          value={dsn}
          onChange={(e) => setDsn(e.target.value)}
          onBlur={() => setTouched(true)}
          placeholder={kind === 'postgres' ? 'postgres://user:password@host:5432/foxctl' : 'libsql://foxctl-you.turso.io'}
          spellCheck={false}
          autoComplete="off"
          aria-invalid={touched && problem !== null}
          data-testid="store-migrate-dsn"
        />
      </label>
      {kind === 'turso' ? (
        <label className="store-migrate-field">
          <span>Token</span>
          <input className="input mono" type="password" value={token} onChange={(e) => setToken(e.target.value)} autoComplete="off" placeholder="optional for file: URLs" />
        </label>
      ) : null}
      {touched && problem ? <p className="error-text small">{problem}</p> : null}
      <label className="small">
        <input type="checkbox" checked={drop} onChange={(e) => setDrop(e.target.checked)} /> Drop this store&apos;s tables in the target first (otherwise a target table with rows is refused)
      </label>
      <p>
        <button type="submit" className="btn btn-primary" disabled={req.loading} data-testid="store-migrate-dry-run">
          {req.loading ? 'Starting…' : 'Dry run: see what would be copied'}
        </button>
      </p>
      <p className="muted small">
        The copy reads {store.name} through a read-only connection and writes only to the target: this store keeps working on SQLite until you switch its driver in
        Settings. The password and token are sent once to the engine and never shown back.
      </p>
    </form>
  );
  return (
    <div className="store-migrate" data-testid="store-migrate">
      {step.at === 'target' ? form : null}
      {step.at === 'dry' ? (
        <>
          <p>1. Dry run: nothing has been written yet.</p>
          <BackupJob
            jobId={step.jobId}
            done={(result) => {
              const report = result as MigrateReport;
              const rows = report.stores.flatMap((s) => s.tables).reduce((n, t) => n + t.source_rows, 0);
              return (
                <div data-testid="store-migrate-plan">
                  <p>
                    Would copy <strong>{formatCount(rows)} rows</strong> in {report.stores.flatMap((s) => s.tables).length} tables to <code className="mono">{report.target}</code>.
                  </p>
                  <ReportNotes report={report} />
                  <Comparison report={report} />
                  <p>
                    <button type="button" className="btn btn-primary" onClick={() => void begin(false)} disabled={req.loading} data-testid="store-migrate-start">
                      Copy {formatCount(rows)} rows
                    </button>{' '}
                    <button type="button" className="btn btn-quiet" onClick={() => setStep({ at: 'target' })}>
                      Back
                    </button>
                  </p>
                </div>
              );
            }}
          />
          <CliEquivalent cli={step.cli} />
        </>
      ) : null}
      {step.at === 'run' ? (
        <>
          <p>2. The copy, table by table (Cancel rolls back the table being copied).</p>
          <BackupJob
            jobId={step.jobId}
            done={(result) => {
              const report = result as MigrateReport;
              return (
                <div data-testid="store-migrate-done" data-ok={report.ok}>
                  <p>
                    <span className={`state-badge ${report.ok ? 'state-ok' : 'state-error'}`}>{report.ok ? 'done' : `${report.errors} problem${report.errors === 1 ? '' : 's'}`}</span> Copied{' '}
                    {formatCount(report.rows_copied)} rows to <code className="mono">{report.target}</code> in {(report.duration_ms / 1000).toFixed(1)} s
                    {report.ok ? '; every table has the same row count on both sides.' : '.'}
                  </p>
                  <ReportNotes report={report} />
                  <Comparison report={report} />
                  <button type="button" className="btn btn-quiet" onClick={() => setStep({ at: 'target' })}>
                    Start over
                  </button>
                </div>
              );
            }}
          />
          <CliEquivalent cli={step.cli} />
        </>
      ) : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('db.migrate')} /> : null}
    </div>
  );
}
