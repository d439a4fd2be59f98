import { useState, type ReactNode } from 'react';
import type { ConfigValue, Settings } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { ErrorNotice } from '../shared/error-notice';
import { SourceTag } from './parts';

/** Keys edited by a form of their own (S3, Turso, PostgreSQL, the CAS backend). */
export function inForm(key: string): boolean {
  return key === 'cas.driver' || key.startsWith('cas.s3.') || key.startsWith('turso.') || key.startsWith('postgres.');
}

const UNKNOWN = 'not a key this version knows';

/** One row: the value and its source; Edit for file and default values, the overriding variable otherwise. */
function Row({ v }: { v: ConfigValue }): ReactNode {
  const [draft, setDraft] = useState<string | null>(null);
  const save = useStudio((s) => s.saveSettings);
  const req = useStudio((s) => s.requests['settings.save:paths'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const known = v.description !== UNKNOWN;
  const commit = (value: string | null): void =>
    void save('paths', { values: [{ key: v.key, value }] }).then((ok) => {
      if (ok) setDraft(null);
    });
  return (
    <tr data-key={v.key}>
      <th scope="row">
        <div className="mono">{v.key}</div>
        <div className="muted small">{v.description}</div>
      </th>
      <td>
        {draft !== null ? (
          <div className="settings-inline-edit">
            <input
              className="input mono"
              value={draft}
              onChange={(e) => setDraft(e.target.value)}
              aria-label={`New value of ${v.key}`}
              autoFocus
              onKeyDown={(e) => {
                if (e.key === 'Enter') commit(draft);
                if (e.key === 'Escape') setDraft(null);
              }}
            />
            <button type="button" className="btn btn-primary" onClick={() => commit(draft)} disabled={req.loading}>
              Save
            </button>
            <button
              type="button"
              className="btn btn-quiet"
              onClick={() => {
                setDraft(null);
                clear('settings.save:paths');
              }}
            >
              Cancel
            </button>
          </div>
        ) : (
          <code className="small">{String(v.value) === '' ? '(not set)' : String(v.value)}</code>
        )}
        {draft !== null && req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('settings.save:paths')} /> : null}
      </td>
      <td>
        <SourceTag v={v} />
      </td>
      <td className="settings-row-actions">
        {v.source.kind === 'env' ? (
          <span className="muted small" data-testid="env-override">
            set by ${v.source.variable}; an edit would not take effect
          </span>
        ) : known && draft === null ? (
          <>
            <button type="button" className="btn btn-quiet" onClick={() => setDraft(String(v.value))} aria-label={`Edit ${v.key}`}>
              Edit
            </button>
            {v.source.kind === 'file' ? (
              <button type="button" className="btn btn-quiet" onClick={() => commit(null)} aria-label={`Reset ${v.key} to its default`} title="remove it from config.yaml">
                Reset
              </button>
            ) : null}
          </>
        ) : null}
      </td>
    </tr>
  );
}

/** Paths and general values: each with its source, editable where the config file decides it. */
export function SettingsPaths({ settings }: { settings: Settings }): ReactNode {
  return (
    <table className="table settings-table" data-testid="config-table">
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Value</th>
          <th scope="col">Source</th>
          <th scope="col" aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {settings.values
          .filter((v) => !inForm(v.key))
          .map((v) => (
            <Row key={v.key} v={v} />
          ))}
      </tbody>
    </table>
  );
}
