import { useState, type ReactNode } from 'react';
import type { Settings } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { BackupJob, CliEquivalent } from '../backups/backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { SourceTag, valueOf } from './parts';

const DRIVERS = ['file', 'sqlite', 'turso', 's3'] as const;

/** The result of a cas.migrate job, as the engine returns it. */
interface MigrateResult {
  objects_migrated: number;
  objects_skipped: number;
  bytes_migrated: number;
  errors: number;
}

/**
 * The CAS backend: which driver is in use (and from where), a switch, and "Move CAS to S3":
 * `cas migrate --to s3` as a job with progress and Cancel, then a switch to the S3 backend.
 */
export function SettingsCas({ settings }: { settings: Settings }): ReactNode {
  const driver = valueOf(settings, 'cas.driver');
  const bucket = valueOf(settings, 'cas.s3.bucket');
  const [choice, setChoice] = useState(String(driver?.value ?? 'file'));
  const save = useStudio((s) => s.saveSettings);
  const move = useStudio((s) => s.moveCasToS3);
  const jobId = useStudio((s) => s.settingsMoveJob);
  const moveReq = useStudio((s) => s.requests['settings.moveCasToS3'] ?? IDLE);
  const saveReq = useStudio((s) => s.requests['settings.save:cas'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  if (!driver) return null;
  const envSet = driver.source.kind === 'env';
  const current = String(driver.value);
  const hasBucket = bucket !== undefined && String(bucket.value) !== '';
  return (
    <div className="settings-cas" data-testid="cas-backend">
      <div className="settings-cas-row">
        <span>
          In use: <strong data-testid="cas-driver">{current}</strong> <SourceTag v={driver} />
        </span>
        <label className="settings-cas-switch">
          Backend{' '}
          <select className="input" value={choice} onChange={(e) => setChoice(e.target.value)} disabled={envSet} aria-label="CAS backend">
            {DRIVERS.map((d) => (
              <option key={d}>{d}</option>
            ))}
          </select>
        </label>
        <button type="button" className="btn" disabled={envSet || choice === current || saveReq.loading} onClick={() => void save('cas', { values: [{ key: 'cas.driver', value: choice }] })}>
          Use {choice}
        </button>
      </div>
      {envSet ? <p className="muted small">$FOXCTL_CAS_DRIVER decides the backend; unset it to choose here.</p> : <p className="muted small">Switching does not copy objects: move them first.</p>}
      <div className="settings-cas-row">
        <button type="button" className="btn btn-primary" disabled={!hasBucket || current === 's3' || moveReq.loading} onClick={() => void move()} data-testid="cas-move-s3">
          Move CAS to S3
        </button>
        <span className="muted small">{current === 's3' ? 'the CAS already uses S3' : hasBucket ? `copies every object to s3://${String(bucket.value)}, verifying digests; objects already there are skipped` : 'save the S3 settings below first'}</span>
      </div>
      {moveReq.error ? <ErrorNotice error={moveReq.error} onDismiss={() => clear('settings.moveCasToS3')} /> : null}
      {saveReq.error ? <ErrorNotice error={saveReq.error} onDismiss={() => clear('settings.save:cas')} /> : null}
      {jobId ? (
        <BackupJob
          jobId={jobId}
          done={(result) => {
            const r = result as MigrateResult;
            return (
              <div className="settings-cas-done" data-testid="cas-move-done">
                <p>
                  Copied {r.objects_migrated} objects, skipped {r.objects_skipped} already there, {r.errors} errors.
                </p>
                {current !== 's3' && r.errors === 0 && !envSet ? (
                  <button type="button" className="btn btn-primary" onClick={() => void save('cas', { values: [{ key: 'cas.driver', value: 's3' }] }).then((ok) => ok && setChoice('s3'))} data-testid="cas-use-s3">
                    Use the S3 backend now
                  </button>
                ) : null}
                <CliEquivalent cli="foxctl cas migrate --to s3" />
              </div>
            );
          }}
        />
      ) : null}
    </div>
  );
}
