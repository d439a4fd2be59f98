import { useRef, useState, type ReactNode } from 'react';
import type { Backup, CallArgs, RestoreResult } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { BackupJob, CliEquivalent } from './backup-job';
import { guiReason, RestoreDone, RestoreFilesTable } from './results';
import { ErrorNotice } from '../shared/error-notice';
import { Dialog } from '../shared/dialog';
import { formatBytes, formatCount } from '../shared/format';

/** "1 file", "3 files". */
function countFiles(n: number): string {
  return `${n} file${n === 1 ? '' : 's'}`;
}

/** The live databases another process has open, and the choice to replace them anyway. */
function InUseWarning({ plan, forceInUse, onChange }: { plan: RestoreResult; forceInUse: boolean; onChange: (v: boolean) => void }): ReactNode {
  const busy = plan.files.filter((f) => f.in_use !== undefined && f.action === 'would-replace');
  if (busy.length === 0) return null;
  return (
    <div className="notice notice-warn" role="alert" data-testid="restore-in-use">
      <p>
        {busy.length === 1 ? 'This store is' : 'These stores are'} open in another process right now:{' '}
        {busy.map((f, i) => (
          <span key={f.path}>
            {i > 0 ? ', ' : ''}
            <strong className="mono">{f.store ?? f.path}</strong> in {f.in_use}
          </span>
        ))}
        . The restore will not replace {busy.length === 1 ? 'it' : 'them'} unless you stop that process first, or choose below.
      </p>
      <label>
        <input type="checkbox" checked={forceInUse} onChange={(e) => onChange(e.target.checked)} data-testid="restore-force-in-use" /> Replace {busy.length === 1 ? 'it' : 'them'} anyway:
        the other process goes on working with the restored data
      </label>
    </div>
  );
}

type Step = { at: 'choose' } | { at: 'plan'; plan: RestoreResult; cli: string } | { at: 'run'; jobId: string; cli: string };

/** "MEMORY", "MEMORY and TASKS", "MEMORY, TASKS and EVENTS". */
export function listNames(names: string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** The confirm button's words: the stores it replaces by name, or what it restores. */
function confirmLabel(plan: RestoreResult, chosen: string[]): string {
  const todo = plan.files.filter((f) => f.action !== 'would-skip');
  const replacing = todo.filter((f) => f.action === 'would-replace');
  if (chosen.length > 0) {
    const stores = [...new Set(todo.map((f) => f.store).filter((x): x is string => !!x))];
    return `${replacing.length > 0 ? 'Replace' : 'Restore'} ${listNames(stores.length > 0 ? stores : chosen)}`;
  }
  return `${replacing.length > 0 ? 'Restore and replace' : 'Restore'} ${countFiles(todo.length)}`;
}

/** Databases of a plan up to this size have their rows counted at once; larger ones on request (it reads them out of the backup). */
const AUTO_COUNT_BYTES = 256 << 20;

type Rows = NonNullable<RestoreResult['files'][number]['rows']>;

/** Per store of the plan: rows now against rows in the backup, filled in when the count (a dry run with countRows) is back. */
function RowsByStore({ plan, rows, counting, onCount }: { plan: RestoreResult; rows: Map<string, Rows> | null; counting: boolean; onCount: () => void }): ReactNode {
  const dbs = plan.files.filter((f) => f.path.endsWith('.db'));
  if (dbs.length === 0) return null;
  const bytes = dbs.reduce((a, f) => a + f.size, 0);
  if (!rows && !counting) {
    return (
      <p data-testid="restore-rows-ask">
        <button type="button" className="btn" onClick={onCount}>
          Count rows now and in the backup
        </button>{' '}
        <span className="muted small">reads {formatBytes(bytes)} of databases out of the backup</span>
      </p>
    );
  }
  const n = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : formatCount(v));
  return (
    <table className="table" data-testid="restore-rows">
      <thead>
        <tr>
          <th scope="col">Store</th>
          <th scope="col" className="num">
            Rows now
          </th>
          <th scope="col" className="num">
            Rows in the backup
          </th>
          <th scope="col" className="num">
            Change
          </th>
        </tr>
      </thead>
      <tbody>
        {dbs.map((f) => {
          const r = rows?.get(f.path);
          if (!r) {
            return (
              <tr key={f.path} data-store={f.store ?? f.path} data-counted="false">
                <th scope="row" className="mono">
                  {f.store ?? f.path}
                </th>
                <td className="num muted" colSpan={3}>
                  {counting ? 'counting…' : '—'}
                </td>
              </tr>
            );
          }
          const { now, backup } = r;
          const delta = now !== null && backup !== null ? backup - now : null;
          return (
            <tr key={f.path} data-store={f.store ?? f.path} data-counted="true" data-rows-now={now ?? ''} data-rows-backup={backup ?? ''}>
              <th scope="row" className="mono">
                {f.store ?? f.path}
              </th>
              <td className="num">{now === null ? <span className="muted">{f.through ? `on ${f.through}` : 'none'}</span> : n(now)}</td>
              <td className="num">{n(backup)}</td>
              <td className="num">{delta === null ? '' : delta === 0 ? <span className="muted">same</span> : `${delta > 0 ? '+' : '−'}${formatCount(Math.abs(delta))}`}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/**
 * The restore wizard, in a dialog: choose stores or components -> dry run (per file create /
 * replace / skip, per store rows now against rows in the backup) -> confirm -> progress -> result
 * with the safety backup. Chosen stores are replaced by default (what restoring a store means;
 * their current state is kept in a safety backup first); a whole-backup restore leaves existing
 * files unless told to replace them. Nothing changes before the confirm.
 */
export function RestoreWizard({
  backup,
  refName,
  initialStores,
  onClose,
  returnFocus,
}: {
  backup: Backup;
  refName?: string;
  initialStores?: string[] | undefined;
  onClose: () => void;
  returnFocus?: () => HTMLElement | null;
}): ReactNode {
  const name = refName ?? backup.name;
  const plan = useStudio((s) => s.planRestore);
  const countRows = useStudio((s) => s.countRestoreRows);
  const rowsReq = useStudio((s) => s.requests[`backups.restoreRows:${refName ?? backup.name}`] ?? IDLE);
  const counting = rowsReq.loading;
  const [rows, setRows] = useState<Map<string, Rows> | null>(null);
  // Each plan has its own count; a count that comes back for an older plan is dropped.
  const generation = useRef(0);
  const start = useStudio((s) => s.startRestore);
  const req = useStudio((s) => s.requests[`backups.restore:${name}`] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [stores, setStores] = useState<string[]>(initialStores ?? []);
  const [components, setComponents] = useState<string[]>([]);
  // Replacing follows the choice of stores until the user sets it.
  const [forceSet, setForceSet] = useState<boolean | null>(null);
  const force = forceSet ?? stores.length > 0;
  const [forceInUse, setForceInUse] = useState(false);
  const [step, setStep] = useState<Step>({ at: 'choose' });
  const input = (f: boolean, inUse = forceInUse) => ({
    name,
    ...(stores.length > 0 ? { stores } : {}),
    ...(components.length > 0 ? { components: components as NonNullable<CallArgs<'backups.restore'>['components']> } : {}),
    force: f,
    ...(inUse ? { forceInUse: true } : {}),
  });
  const count = (f: boolean, inUse: boolean, gen: number): void => {
    void countRows(input(f, inUse)).then((r) => {
      if (r?.plan && gen === generation.current) setRows(new Map(r.plan.files.filter((x) => x.rows).map((x) => [x.path, x.rows!])));
    });
  };
  // The plan at once; the row counts after it, as they read the databases out of the backup.
  const dryRun = async (f: boolean, inUse = forceInUse): Promise<void> => {
    const gen = ++generation.current;
    setRows(null);
    const r = await plan(input(f, inUse));
    if (!r?.plan || gen !== generation.current) return;
    setStep({ at: 'plan', plan: r.plan, cli: r.cli });
    const dbBytes = r.plan.files.filter((x) => x.path.endsWith('.db')).reduce((a, x) => a + x.size, 0);
    if (dbBytes > 0 && dbBytes <= AUTO_COUNT_BYTES) count(f, inUse, gen);
  };
  const toggle = (s: string): void => setStores((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  return (
    <Dialog title={`Restore ${backup.name}`} onClose={onClose} testId="restore-wizard" wide returnFocus={returnFocus}>
      {step.at === 'choose' ? (
        <>
          <p>1. Choose stores and/or components to restore (none chosen: everything in the backup).</p>
          <fieldset className="facts" aria-label="Stores">
            <legend className="small muted">Stores</legend>
            {backup.stores.map((s) => (
              <label key={s}>
                <input type="checkbox" checked={stores.includes(s)} onChange={() => toggle(s)} /> <span className="mono">{s}</span>
              </label>
            ))}
          </fieldset>
          <fieldset className="facts" aria-label="Components">
            <legend className="small muted">Components</legend>
            {backup.components.map((c) => (
              <label key={c}>
                <input type="checkbox" checked={components.includes(c)} onChange={() => setComponents((cur) => (cur.includes(c) ? cur.filter((x) => x !== c) : [...cur, c]))} /> {c}
              </label>
            ))}
          </fieldset>
          <p>
            <label>
              <input type="checkbox" checked={force} onChange={(e) => setForceSet(e.target.checked)} data-testid="restore-force-choose" /> Replace what exists now (a safety backup of it is kept first)
            </label>
          </p>
          <div className="dialog-actions">
            <button type="button" className="btn btn-primary" onClick={() => void dryRun(force)} disabled={req.loading} data-testid="restore-dry-run">
              {req.loading ? 'Planning…' : 'See what would change'}
            </button>
          </div>
        </>
      ) : null}
      {step.at === 'plan' ? (
        <>
          <p>
            2. Dry run: nothing has changed yet.{' '}
            {force ? 'Existing files are replaced; what they hold now is first saved in a safety backup, which you can restore to undo.' : 'Existing files are left as they are unless you replace them.'}
          </p>
          <RowsByStore plan={step.plan} rows={rows} counting={counting} onCount={() => count(force, forceInUse, generation.current)} />
          {rowsReq.error ? <ErrorNotice error={rowsReq.error} onDismiss={() => clear(`backups.restoreRows:${name}`)} /> : null}
          <RestoreFilesTable result={step.plan} />
          <InUseWarning
            plan={step.plan}
            forceInUse={forceInUse}
            onChange={(v) => {
              setForceInUse(v);
              void dryRun(force, v);
            }}
          />
          <p>
            <label>
              <input
                type="checkbox"
                checked={force}
                data-testid="restore-force"
                onChange={(e) => {
                  setForceSet(e.target.checked);
                  void dryRun(e.target.checked);
                }}
              />{' '}
              Replace what exists now (a safety backup of it is kept first)
            </label>
          </p>
          <CliEquivalent cli={step.cli.replace(/ --dry-run$/, '')} />
          <div className="dialog-actions">
            <button
              type="button"
              className="btn btn-danger"
              data-testid="restore-confirm"
              disabled={req.loading || step.plan.files.every((f) => f.action === 'would-skip')}
              onClick={() =>
                void start(input(force)).then((ref) => {
                  if (ref) setStep({ at: 'run', jobId: ref.jobId, cli: ref.cli });
                })
              }
            >
              {confirmLabel(step.plan, stores)}
            </button>
            <button type="button" className="btn btn-quiet" onClick={() => setStep({ at: 'choose' })}>
              Back
            </button>
          </div>
        </>
      ) : null}
      {step.at === 'run' ? (
        <>
          <BackupJob jobId={step.jobId} done={(result) => <RestoreDone result={result} />} words={guiReason} />
          <CliEquivalent cli={step.cli} />
        </>
      ) : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear(`backups.restore:${name}`)} /> : null}
    </Dialog>
  );
}
