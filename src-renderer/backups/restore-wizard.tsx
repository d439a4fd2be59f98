import { useState, type ReactNode } from 'react';
import type { Backup, CallArgs, RestoreResult } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { BackupJob, CliEquivalent } from './backup-job';
import { RestoreDone, RestoreFilesTable } from './results';
import { ErrorNotice } from '../shared/error-notice';

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

/**
 * The restore wizard: choose stores -> dry run (create / replace / skip per file) -> force ->
 * confirm -> progress -> result with the safety backup. Nothing changes before the confirm.
 */
export function RestoreWizard({ backup, initialStores, onClose }: { backup: Backup; initialStores?: string[] | undefined; onClose: () => void }): ReactNode {
  const plan = useStudio((s) => s.planRestore);
  const start = useStudio((s) => s.startRestore);
  const req = useStudio((s) => s.requests[`backups.restore:${backup.name}`] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [stores, setStores] = useState<string[]>(initialStores ?? []);
  const [components, setComponents] = useState<string[]>([]);
  const [force, setForce] = useState(false);
  const [forceInUse, setForceInUse] = useState(false);
  const [step, setStep] = useState<Step>({ at: 'choose' });
  const input = (f: boolean, inUse = forceInUse) => ({
    name: backup.name,
    ...(stores.length > 0 ? { stores } : {}),
    ...(components.length > 0 ? { components: components as NonNullable<CallArgs<'backups.restore'>['components']> } : {}),
    force: f,
    ...(inUse ? { forceInUse: true } : {}),
  });
  const dryRun = async (f: boolean, inUse = forceInUse): Promise<void> => {
    const r = await plan(input(f, inUse));
    if (r?.plan) setStep({ at: 'plan', plan: r.plan, cli: r.cli });
  };
  const toggle = (s: string): void => setStores((cur) => (cur.includes(s) ? cur.filter((x) => x !== s) : [...cur, s]));
  return (
    <section className="card" role="region" aria-label={`Restore ${backup.name}`} data-testid="restore-wizard">
      <header className="card-header">
        <h2>Restore {backup.name}</h2>
        <button type="button" className="btn btn-quiet" onClick={onClose}>
          Close
        </button>
      </header>
      {step.at === 'choose' ? (
        <>
          <p>1. Choose components and/or stores to restore (none chosen: everything in the backup).</p>
          <fieldset className="facts" aria-label="Components">
            {backup.components.map((c) => (
              <label key={c}>
                <input type="checkbox" checked={components.includes(c)} onChange={() => setComponents((cur) => (cur.includes(c) ? cur.filter((x) => x !== c) : [...cur, c]))} /> {c}
              </label>
            ))}
          </fieldset>
          <fieldset className="facts" aria-label="Stores">
            {backup.stores.map((s) => (
              <label key={s}>
                <input type="checkbox" checked={stores.includes(s)} onChange={() => toggle(s)} /> <span className="mono">{s}</span>
              </label>
            ))}
          </fieldset>
          <button type="button" className="btn" onClick={() => void dryRun(force)} disabled={req.loading} data-testid="restore-dry-run">
            {req.loading ? 'Planning…' : 'See what would change'}
          </button>
        </>
      ) : null}
      {step.at === 'plan' ? (
        <>
          <p>2. Dry run: nothing has changed yet. Existing files are skipped unless you replace them; replaced files are first saved in a safety backup.</p>
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
                  setForce(e.target.checked);
                  void dryRun(e.target.checked);
                }}
              />{' '}
              Replace existing files (force)
            </label>
          </p>
          <CliEquivalent cli={step.cli.replace(/ --dry-run$/, '')} />
          <p>
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
              Restore {countFiles(step.plan.files.filter((f) => f.action !== 'would-skip').length)}
            </button>{' '}
            <button type="button" className="btn btn-quiet" onClick={() => setStep({ at: 'choose' })}>
              Back
            </button>
          </p>
        </>
      ) : null}
      {step.at === 'run' ? (
        <>
          <BackupJob jobId={step.jobId} done={(result) => <RestoreDone result={result} />} />
          <CliEquivalent cli={step.cli} />
        </>
      ) : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear(`backups.restore:${backup.name}`)} /> : null}
    </section>
  );
}
