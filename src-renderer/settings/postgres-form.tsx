import { useState, type ReactNode } from 'react';
import type { CallArgs, Settings } from '../../src-preload/contract';
import { useStudio } from '../store';
import { EnvEquivalent, Field, FormActions, initialOf, ProbeView, SecretField, useForgetProbeOnEdit } from './parts';
import { checkDsn, checkInt, checkPort, checkRequired, dsnOfFields, envLines, partsOfDsn, type PgFields } from './validate';

/**
 * The PostgreSQL form: a DSN or its fields, the password (secret store, never config.yaml), and
 * the pool sizes. The password has one home, the password field: one typed inside the DSN moves
 * there on switching to Fields, and to the secret store on save. Only changed values are saved.
 */
export function SettingsPostgresForm({ settings }: { settings: Settings }): ReactNode {
  const dsn0 = initialOf(settings, 'postgres.dsn');
  const max0 = initialOf(settings, 'postgres.max_conns');
  const idle0 = initialOf(settings, 'postgres.max_idle_conns');
  const [mode, setMode] = useState<'dsn' | 'fields'>('dsn');
  const [dsn, setDsn] = useState(dsn0.text);
  const [fields, setFields] = useState<PgFields>(() => partsOfDsn(dsn0.text).fields);
  const [password, setPassword] = useState('');
  const [maxConns, setMaxConns] = useState(max0.text);
  const [maxIdle, setMaxIdle] = useState(idle0.text);
  const [consent, setConsent] = useState(false);
  const save = useStudio((s) => s.saveSettings);
  const test = useStudio((s) => s.testConnection);
  const forgetProbe = useForgetProbeOnEdit('postgres');
  const probe = useStudio((s) => s.settingsProbe.postgres);
  const entry = settings.secrets.entries.find((e) => e.name === 'postgres.password');

  const effectiveDsn = mode === 'dsn' ? dsn.trim() : dsnOfFields(fields);
  const fieldErrors = { host: checkRequired(fields.host), port: checkPort(fields.port), user: checkRequired(fields.user), database: checkRequired(fields.database) };
  const dsnError = mode === 'dsn' ? (dsn === '' ? null : checkDsn(dsn)) : Object.values(fieldErrors).find((e) => e !== null) ?? null;
  const poolErrors = { max: checkInt(maxConns, 1), idle: checkInt(maxIdle, 0) ?? (Number(maxIdle) > Number(maxConns) ? 'at most the pool size' : null) };
  const empty = mode === 'dsn' && dsn === '';
  const valid = dsnError === null && poolErrors.max === null && poolErrors.idle === null;
  const dsnHasPassword = /^[a-z]+:\/\/[^/@]*:[^/@]+@/i.test(effectiveDsn) && !effectiveDsn.includes(':***@');

  const switchMode = (m: 'dsn' | 'fields'): void => {
    if (m === 'fields') {
      const parts = partsOfDsn(dsn);
      setFields(parts.fields);
      if (parts.password !== null) setPassword(parts.password);
    } else setDsn(dsnOfFields(fields));
    setMode(m);
  };
  const onSave = (): void => {
    const values: CallArgs<'settings.save'>['values'] = [];
    const dsnValue = empty ? null : effectiveDsn;
    if (!dsn0.env && (dsnValue ?? '') !== dsn0.text) values.push({ key: 'postgres.dsn', value: dsnValue });
    if (!max0.env && maxConns !== max0.text) values.push({ key: 'postgres.max_conns', value: Number(maxConns) });
    if (!idle0.env && maxIdle !== idle0.text) values.push({ key: 'postgres.max_idle_conns', value: Number(maxIdle) });
    const secrets: NonNullable<CallArgs<'settings.save'>['secrets']> = password ? [{ name: 'postgres.password', value: password }] : [];
    void save('postgres', { values, secrets, plaintextConsent: consent }).then((ok) => {
      if (ok) {
        setPassword('');
        // The engine keeps the DSN without its password: show what was saved.
        if (dsnHasPassword) setDsn(effectiveDsn.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]+@/i, '$1@'));
      }
    });
  };
  const set = (k: keyof PgFields) => (v: string) => setFields((f) => ({ ...f, [k]: v }));

  return (
    <form className="settings-form" data-testid="postgres-form" aria-label="PostgreSQL" onSubmit={(e) => e.preventDefault()} onChange={forgetProbe} noValidate>
      <div className="settings-mode" role="radiogroup" aria-label="How to give the server">
        <label>
          <input type="radio" name="pg-mode" checked={mode === 'dsn'} onChange={() => switchMode('dsn')} disabled={!!dsn0.env} /> DSN
        </label>
        <label>
          <input type="radio" name="pg-mode" checked={mode === 'fields'} onChange={() => switchMode('fields')} disabled={!!dsn0.env} /> Fields
        </label>
      </div>
      {mode === 'dsn' ? (
        <Field label="DSN" value={dsn} onChange={setDsn} error={dsnError} envVar={dsn0.env} placeholder="postgres://user@host:5432/foxctl?sslmode=require" hint="the password goes in its own field (a password typed here is moved to the secret store)" testId="pg-dsn" />
      ) : (
        <div className="settings-grid">
          <Field label="Host" value={fields.host} onChange={set('host')} error={fieldErrors.host} testId="pg-host" />
          <Field label="Port" value={fields.port} onChange={set('port')} error={fieldErrors.port} testId="pg-port" />
          <Field label="User" value={fields.user} onChange={set('user')} error={fieldErrors.user} testId="pg-user" />
          <Field label="Database" value={fields.database} onChange={set('database')} error={fieldErrors.database} testId="pg-database" />
          <div className="settings-field">
            <label htmlFor="pg-sslmode">TLS (sslmode)</label>
            <select id="pg-sslmode" className="input" value={fields.sslmode} onChange={(e) => set('sslmode')(e.target.value)}>
              {['default', 'disable', 'prefer', 'require', 'verify-ca', 'verify-full'].map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <Field label="Other parameters" value={fields.params} onChange={set('params')} placeholder="connect_timeout=5&application_name=studio" testId="pg-params" />
        </div>
      )}
      <div className="settings-grid">
        <SecretField entry={entry} value={password} onChange={setPassword} envVars={['FOXCTL_POSTGRES_DSN', 'DATABASE_URL']} testId="pg-password" />
        <Field label="Pool size" value={maxConns} onChange={setMaxConns} error={poolErrors.max} envVar={max0.env} testId="pg-max-conns" />
        <Field label="Idle connections kept" value={maxIdle} onChange={setMaxIdle} error={poolErrors.idle} envVar={idle0.env} testId="pg-max-idle" />
      </div>
      <FormActions
        form="postgres"
        canSave={valid}
        canTest={valid && !empty}
        onTest={() => void test('postgres', { kind: 'postgres', dsn: effectiveDsn, ...(password ? { password } : {}) })}
        onSave={onSave}
        needsConsent={settings.secrets.consentRequired && (password !== '' || dsnHasPassword)}
        consent={consent}
        setConsent={setConsent}
        warning={settings.secrets.warning}
      />
      <ProbeView result={probe} testId="postgres-probe" />
      <EnvEquivalent
        text={envLines([
          ['FOXCTL_POSTGRES_DSN', (effectiveDsn || 'postgres://user@host:5432/db').replace(/^([a-z]+:\/\/[^/@:]*)(:[^/@]*)?@/i, '$1:<password>@')],
          ['FOXCTL_POSTGRES_MAX_CONNS', maxConns],
          ['FOXCTL_POSTGRES_MAX_IDLE_CONNS', maxIdle],
        ])}
        testId="postgres-env"
      />
    </form>
  );
}
