import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ConfigValue, ProbeResult, SecretEntry, SecretName, Settings, SettingsSaveResult } from '../../src-preload/contract';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import type { SettingsForm } from './settings-slice';
import { ErrorNotice } from '../shared/error-notice';
import type { FieldError } from './validate';

/** The effective value of a key (every known key is listed by settings.get). */
export function valueOf(s: Settings, key: string): ConfigValue | undefined {
  return s.values.find((v) => v.key === key);
}

/** A key's value as a form starts with it: the value as text, and the env variable that overrides it. */
export function initialOf(s: Settings, key: string): { text: string; env: string | null } {
  const v = valueOf(s, key);
  if (!v) return { text: '', env: null };
  return { text: String(v.value), env: v.source.kind === 'env' ? v.source.variable : null };
}

/** Where a value comes from, as a tag: default, config file, or $VARIABLE. */
export function SourceTag({ v }: { v: ConfigValue }): ReactNode {
  switch (v.source.kind) {
    case 'default':
      return <span className="tag">default</span>;
    case 'file':
      return (
        <span className="tag tag-file" title={v.source.key ? `${v.source.file}, under the Go foxctl's key ${v.source.key}` : v.source.file}>
          {v.source.key ? `config file (${v.source.key})` : 'config file'}
        </span>
      );
    case 'env':
      return <span className="tag tag-env">${v.source.variable}</span>;
  }
}

/**
 * A labelled text field with its check shown as the user types. When an env variable sets the
 * key, the field is read-only and says so: saving the file would not change what the engine uses.
 */
export function Field({
  label,
  value,
  onChange,
  error,
  envVar,
  placeholder,
  hint,
  type = 'text',
  testId,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: FieldError;
  envVar?: string | null;
  placeholder?: string;
  hint?: ReactNode;
  type?: 'text' | 'password' | 'number';
  testId?: string;
}): ReactNode {
  const id = useId();
  const errId = `${id}-err`;
  return (
    <div className="settings-field" data-testid={testId}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className={`input${error ? ' settings-invalid' : ''}`}
        type={type}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
        readOnly={!!envVar}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? errId : undefined}
        autoComplete="off"
        spellCheck={false}
      />
      {envVar ? (
        <div className="settings-hint settings-env-note">
          set by <code>${envVar}</code>: unset it to use a saved value
        </div>
      ) : error ? (
        <div className="settings-hint settings-error" id={errId} role="alert">
          {error}
        </div>
      ) : hint ? (
        <div className="settings-hint muted">{hint}</div>
      ) : null}
    </div>
  );
}

/** A yes/no setting as a checkbox, read-only when an env variable sets it. */
export function Toggle({ label, checked, onChange, envVar, hint }: { label: string; checked: boolean; onChange: (v: boolean) => void; envVar?: string | null; hint?: string }): ReactNode {
  return (
    <label className="settings-toggle" title={envVar ? `set by $${envVar}` : hint}>
      <input type="checkbox" checked={checked} disabled={!!envVar} onChange={(e) => onChange(e.target.checked)} /> {label}
      {envVar ? <span className="tag tag-env">${envVar}</span> : null}
    </label>
  );
}

/**
 * A secret's field: never shows a saved value, only "saved · ends in abcd". Typing replaces it on
 * save; Remove deletes it from the secret store.
 */
export function SecretField({ entry, value, onChange, error, envVars, testId }: { entry: SecretEntry | undefined; value: string; onChange: (v: string) => void; error?: FieldError; envVars: string[]; testId?: string }): ReactNode {
  const id = useId();
  const remove = useStudio((s) => s.deleteSecret);
  const [confirm, setConfirm] = useState(false);
  const name = entry?.name;
  const status = entry?.set
    ? `saved${entry.last4 ? ` · ends in ${entry.last4}` : ''}${entry.stored === 'plain' ? ' · plain file' : entry.stored === 'basic_text' ? ' · basic_text' : ' · encrypted'}${entry.readable ? '' : ' · not readable here'}`
    : 'not saved';
  return (
    <div className="settings-field" data-testid={testId}>
      <label htmlFor={id}>{entry?.label ?? 'Secret'}</label>
      <input
        id={id}
        className={`input${error ? ' settings-invalid' : ''}`}
        type="password"
        value={value}
        placeholder={entry?.set ? 'leave empty to keep the saved one' : ''}
        onChange={(e) => onChange(e.target.value)}
        autoComplete="new-password"
        aria-invalid={error ? true : undefined}
      />
      <div className="settings-hint">
        <span className={entry?.set ? 'settings-secret-set' : 'muted'} data-testid={testId ? `${testId}-status` : undefined}>
          {status}
        </span>
        {entry?.set && name ? (
          confirm ? (
            <>
              {' '}
              <button type="button" className="btn btn-quiet settings-small-btn" onClick={() => void remove(name as SecretName).then(() => setConfirm(false))}>
                Remove it
              </button>
              <button type="button" className="btn btn-quiet settings-small-btn" onClick={() => setConfirm(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" className="btn btn-quiet settings-small-btn" onClick={() => setConfirm(true)}>
              Remove…
            </button>
          )
        ) : null}
        {error ? (
          <div className="settings-error" role="alert">
            {error}
          </div>
        ) : (
          <div className="muted">env {envVars.map((v) => `$${v}`).join(' / ')} wins over it</div>
        )}
      </div>
    </div>
  );
}

/** A Test connection result: latency and what answered, or the exact error. */
export function ProbeView({ result, testId }: { result: ProbeResult | undefined; testId: string }): ReactNode {
  if (!result) return null;
  if (result.ok) {
    return (
      <div className="settings-probe settings-probe-ok" role="status" data-testid={testId} data-ok="true">
        <strong>Connected</strong> in {result.latencyMs.toFixed(0)} ms · <span className="mono">{result.target}</span>
        <div className="small">{result.detail}</div>
      </div>
    );
  }
  return (
    <div className="settings-probe settings-probe-bad" role="alert" data-testid={testId} data-ok="false" data-code={result.code}>
      <strong>Failed</strong> after {result.latencyMs.toFixed(0)} ms · <span className="mono">{result.target}</span>
      <div className="mono small settings-probe-message">{result.message}</div>
    </div>
  );
}

/** "Show env equivalent": the FOXCTL_* variables of the form, secrets as placeholders. */
export function EnvEquivalent({ text, testId }: { text: string; testId: string }): ReactNode {
  return (
    <details className="small settings-env" data-testid={testId}>
      <summary>Show env equivalent</summary>
      <pre className="command mono">{text}</pre>
    </details>
  );
}

/**
 * The bottom of a form: Test connection, Save, and, where secrets cannot be encrypted here, the
 * explicit "I understand" the save needs. Shows the save's error or what was saved.
 */
export function FormActions({
  form,
  canSave,
  canTest,
  onTest,
  onSave,
  needsConsent,
  consent,
  setConsent,
  warning,
}: {
  form: SettingsForm;
  canSave: boolean;
  canTest: boolean;
  onTest?: () => void;
  onSave: () => void;
  needsConsent: boolean;
  consent: boolean;
  setConsent: (v: boolean) => void;
  warning: string | null;
}): ReactNode {
  const save = useStudio((s) => s.requests[`settings.save:${form}`] ?? IDLE);
  const test = useStudio((s) => s.requests[`settings.test:${form}`] ?? IDLE);
  const saved = useStudio((s) => s.settingsSaved[form]);
  const clear = useStudio((s) => s.clearError);
  return (
    <div className="settings-actions-block">
      {needsConsent ? (
        <label className="settings-consent" data-testid={`${form}-consent`}>
          <input type="checkbox" checked={consent} onChange={(e) => setConsent(e.target.checked)} />
          <span>
            <strong>I understand</strong> — {warning}
          </span>
        </label>
      ) : null}
      <div className="settings-actions">
        {onTest ? (
          <button type="button" className="btn" onClick={onTest} disabled={!canTest || test.loading} data-testid={`${form}-test`}>
            {test.loading ? 'Testing…' : 'Test connection'}
          </button>
        ) : null}
        <button type="button" className="btn btn-primary" onClick={onSave} disabled={!canSave || save.loading} data-testid={`${form}-save`}>
          {save.loading ? 'Saving…' : 'Save'}
        </button>
        {saved && !save.error && !save.loading ? <SavedNote result={saved} testId={`${form}-saved`} /> : null}
      </div>
      {save.error ? <ErrorNotice error={save.error} onDismiss={() => clear(`settings.save:${form}`)} /> : null}
      {test.error ? <ErrorNotice error={test.error} onDismiss={() => clear(`settings.test:${form}`)} /> : null}
    </div>
  );
}

/**
 * The form's onChange: any edit of a value clears the form's Test result, which spoke of the values
 * before it (ticking "I understand" changes no value, so it keeps it).
 */
export function useForgetProbeOnEdit(form: SettingsForm): (e: FormEvent<HTMLFormElement>) => void {
  const forget = useStudio((s) => s.forgetProbe);
  return (e) => {
    if (e.target instanceof Element && e.target.closest('.settings-consent')) return;
    forget(form);
  };
}

/** A save named by what it wrote, so "saved" never hides a secret that was not stored. */
function savedWhat(result: SettingsSaveResult): string {
  const secrets = result.secrets.map((e) => `${e.label} ${e.set ? 'in the secret store' : 'removed'}`);
  const names = [...result.changes.map((c) => c.key), ...secrets];
  return names.length === 0 ? 'Nothing changed.' : `Saved ${names.join(', ')}.`;
}

/** What a save did, and the keys whose edit an env variable still overrides. */
function SavedNote({ result, testId }: { result: SettingsSaveResult; testId: string }): ReactNode {
  const overridden = result.changes.filter((c) => c.overriddenBy);
  return (
    <span className="settings-saved" role="status" data-testid={testId}>
      {savedWhat(result)}
      {overridden.length > 0 ? (
        <span className="warn-text"> Not in effect while set in the environment: {overridden.map((c) => `${c.key} ($${c.overriddenBy})`).join(', ')}.</span>
      ) : null}
      {result.notice ? <span className="warn-text"> {result.notice}</span> : null}
    </span>
  );
}
