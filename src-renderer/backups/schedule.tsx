import { useEffect, useState, type ReactNode } from 'react';
import type { BackupSchedule } from '../../src-preload/contract';
import { exactTime, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from './backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { Dialog } from '../shared/dialog';

/** "in 5 hours" / "5 hours ago" for a timestamp. */
function relative(iso: string): string {
  const ms = new Date(iso).getTime() - Date.now();
  if (ms <= 0) return timeAgo(iso);
  const min = Math.round(ms / 60_000);
  if (min < 60) return `in ${min} minute${min === 1 ? '' : 's'}`;
  const h = Math.round(min / 60);
  return `in ${h} hour${h === 1 ? '' : 's'}`;
}

function LastRun({ run }: { run: NonNullable<BackupSchedule['last_run']> }): ReactNode {
  const cls = run.state === 'ok' ? 'good-text' : run.state === 'running' ? 'muted' : 'error-text';
  const problems = run.state === 'completed_with_problems';
  return (
    <span className={cls} data-testid="schedule-last-run" data-state={run.state} title={exactTime(run.at)}>
      {run.state === 'ok' ? `Backed up ${run.backup ?? ''}` : problems ? `Backed up ${run.backup ?? ''} with problems (see the list)` : run.state === 'running' ? `Backing up ${run.backup ?? ''}…` : `${run.state === 'canceled' ? 'Canceled' : 'Failed'}${run.error ? `: ${run.error.message}` : ''}`} ({timeAgo(run.at)})
      {run.caught_up ? <span className="muted"> · made up for a night the app was closed</span> : null}
      {run.pruned.length > 0 ? <span className="muted"> · pruned {run.pruned.join(', ')}</span> : null}
      {run.push ? (
        <span className={run.push.state === 'ok' ? 'muted' : 'error-text'} data-testid="schedule-last-push" data-state={run.push.state}>
          {' '}
          · {run.push.state === 'ok' ? 'pushed to the bucket' : `push failed: ${run.push.error?.message ?? ''}`}
        </span>
      ) : null}
    </span>
  );
}

/** Browser mode: ask once to show a desktop notification when a nightly backup fails (the app does it by itself). */
function NotifyChoice(): ReactNode {
  const mode = useStudio((s) => s.info?.mode);
  const [permission, setPermission] = useState(() => (typeof Notification === 'undefined' ? 'unsupported' : Notification.permission));
  if (mode !== 'browser') return <p className="muted small">A failed nightly backup shows a desktop notification.</p>;
  if (permission === 'unsupported') return <p className="muted small">This browser cannot show notifications: a failed nightly backup shows on the Overview.</p>;
  if (permission === 'granted') return <p className="muted small" data-testid="schedule-notify" data-permission="granted">A failed nightly backup shows a desktop notification while this page is open.</p>;
  if (permission === 'denied') return <p className="muted small" data-testid="schedule-notify" data-permission="denied">Notifications are blocked for this page in the browser's settings: a failed nightly backup shows on the Overview.</p>;
  return (
    <p data-testid="schedule-notify" data-permission="default">
      <button type="button" className="btn btn-quiet" onClick={() => void Notification.requestPermission().then(setPermission)}>
        Notify me when a nightly backup fails
      </button>
    </p>
  );
}

/** The nightly backup: on/off, time of day, clock, retention; next and last run; saved in config.yaml. */
export function SchedulePanel({ onClose }: { onClose: () => void }): ReactNode {
  const schedule = useStudio((s) => s.backupSchedule);
  const load = useStudio((s) => s.loadBackupSchedule);
  const save = useStudio((s) => s.saveBackupSchedule);
  const runNow = useStudio((s) => s.runBackupScheduleNow);
  const req = useStudio((s) => s.requests['backups.setSchedule'] ?? IDLE);
  const runReq = useStudio((s) => s.requests['backups.runSchedule'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [form, setForm] = useState<{ enabled: boolean; time: string; zone: 'local' | 'utc'; keep: string; push: boolean } | null>(null);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  useEffect(() => void load(), [load]);
  useEffect(() => {
    if (schedule && !form) setForm({ enabled: schedule.enabled, time: schedule.time, zone: schedule.zone, keep: String(schedule.keep), push: schedule.push });
  }, [schedule, form]);
  if (!schedule || !form) return null;
  const overridden = new Map(schedule.env_overrides.map((o) => [o.key, o.variable]));
  const keep = Number(form.keep);
  const valid = /^\d{1,2}:\d{2}$/.test(form.time) && Number.isInteger(keep) && keep >= 1 && keep <= 1000;
  const dirty = form.enabled !== schedule.enabled || form.time !== schedule.time || form.zone !== schedule.zone || keep !== schedule.keep || form.push !== schedule.push;
  const edit = (patch: Partial<typeof form>): void => {
    setForm({ ...form, ...patch });
    setSavedAt(null);
  };
  return (
    <Dialog title="Nightly backup" onClose={onClose} testId="schedule-panel">
      <p className="muted small">
        While Storage Studio runs (this app, or <code>foxctl studio</code>), it takes a backup each day at this time, then keeps the newest nightly backups and deletes older nightly ones. Backups you take
        yourself are never deleted by it.
      </p>
      <form
        className="schedule-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void save({ enabled: form.enabled, time: form.time, zone: form.zone, keep, push: form.push }).then((ok) => ok && setSavedAt(Date.now()));
        }}
      >
        <label>
          <input type="checkbox" checked={form.enabled} onChange={(e) => edit({ enabled: e.target.checked })} data-testid="schedule-enabled" /> Back up every night
        </label>
        <label>
          at <input className="input" type="time" value={form.time} onChange={(e) => edit({ time: e.target.value })} aria-label="Time of day" data-testid="schedule-time" required />
        </label>
        <label>
          <select className="input" value={form.zone} onChange={(e) => edit({ zone: e.target.value === 'utc' ? 'utc' : 'local' })} aria-label="Clock">
            <option value="local">local time</option>
            <option value="utc">UTC</option>
          </select>
        </label>
        <label>
          keep the newest <input className="input" type="number" min={1} max={1000} value={form.keep} onChange={(e) => edit({ keep: e.target.value })} aria-label="Nightly backups kept" data-testid="schedule-keep" style={{ width: '5em' }} />
        </label>
        <label>
          <input type="checkbox" checked={form.push} onChange={(e) => edit({ push: e.target.checked })} data-testid="schedule-push" /> then push it to the backup bucket
        </label>
        <button type="submit" className="btn btn-primary" disabled={!valid || !dirty || req.loading} data-testid="schedule-save">
          Save
        </button>
      </form>
      {!valid ? <p className="error-text small">Give a time of day (HH:MM) and keep 1 to 1000 backups.</p> : null}
      {schedule.problem ? (
        <p className="error-text small" data-testid="schedule-problem">
          {schedule.problem}
        </p>
      ) : null}
      {[...overridden].map(([key, variable]) => (
        <p key={key} className="warn-text small" data-testid="schedule-env-override">
          {key} is set by ${variable}, which wins over the config file: saving here changes the file only.
        </p>
      ))}
      <dl className="schedule-facts" data-testid="schedule-status" data-enabled={schedule.enabled}>
        <dt>Next run</dt>
        <dd data-testid="schedule-next">{schedule.next_run ? <span title={exactTime(schedule.next_run)}>{exactTime(schedule.next_run)} ({relative(schedule.next_run)})</span> : <span className="muted">off</span>}</dd>
        <dt>Last run</dt>
        <dd>{schedule.last_run ? <LastRun run={schedule.last_run} /> : <span className="muted">none yet</span>}</dd>
        <dt>Saved in</dt>
        <dd className="mono small">{schedule.config_file}</dd>
      </dl>
      {savedAt ? (
        <p className="good-text small" data-testid="schedule-saved">
          Saved in config.yaml.
        </p>
      ) : null}
      <p>
        <button type="button" className="btn" onClick={() => void runNow()} disabled={runReq.loading || schedule.last_run?.state === 'running'} data-testid="schedule-run-now">
          Run the nightly backup now
        </button>
      </p>
      <NotifyChoice />
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('backups.setSchedule')} /> : null}
      {runReq.error ? <ErrorNotice error={runReq.error} onDismiss={() => clear('backups.runSchedule')} /> : null}
      <CliEquivalent cli={schedule.cli} />
    </Dialog>
  );
}

/** One line under the Backups title: the schedule at a glance, opening the form. */
export function ScheduleSummary({ onOpen }: { onOpen: () => void }): ReactNode {
  const schedule = useStudio((s) => s.backupSchedule);
  const load = useStudio((s) => s.loadBackupSchedule);
  useEffect(() => void load(), [load]);
  if (!schedule) return null;
  return (
    <p className="small" data-testid="schedule-summary">
      {schedule.enabled && schedule.next_run ? (
        <>
          Nightly backup at {schedule.time}
          {schedule.zone === 'utc' ? ' UTC' : ''}, next {relative(schedule.next_run)}, keeping {schedule.keep}.
        </>
      ) : (
        <span className="muted">No nightly backup scheduled.</span>
      )}{' '}
      {schedule.last_run ? (
        <>
          Last: <LastRun run={schedule.last_run} />{' '}
        </>
      ) : null}
      <button type="button" className="link" onClick={onOpen}>
        {schedule.enabled ? 'Change…' : 'Schedule…'}
      </button>
    </p>
  );
}
