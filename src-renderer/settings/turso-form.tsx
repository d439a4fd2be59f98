import { useState, type ReactNode } from 'react';
import type { CallArgs, Settings } from '../../src-preload/contract';
import { useStudio } from '../store';
import { EnvEquivalent, Field, FormActions, initialOf, ProbeView, SecretField, useForgetProbeOnEdit } from './parts';
import { checkTursoUrl, envLines } from './validate';

/** The Turso / libSQL form: URL and token (the token goes to the secret store). */
export function SettingsTursoForm({ settings }: { settings: Settings }): ReactNode {
  const url0 = initialOf(settings, 'turso.url');
  const [url, setUrl] = useState(url0.text);
  const [token, setToken] = useState('');
  const [consent, setConsent] = useState(false);
  const save = useStudio((s) => s.saveSettings);
  const test = useStudio((s) => s.testConnection);
  const forgetProbe = useForgetProbeOnEdit('turso');
  const probe = useStudio((s) => s.settingsProbe.turso);
  const entry = settings.secrets.entries.find((e) => e.name === 'turso.token');
  const urlError = checkTursoUrl(url, token !== '' || !!entry?.set);

  const onSave = (): void => {
    const secrets: NonNullable<CallArgs<'settings.save'>['secrets']> = token ? [{ name: 'turso.token', value: token }] : [];
    const values = url0.env ? [] : [{ key: 'turso.url', value: url.trim() || null }];
    void save('turso', { values, secrets, plaintextConsent: consent }).then((ok) => ok && setToken(''));
  };
  return (
    <form className="settings-form" data-testid="turso-form" aria-label="Turso" onSubmit={(e) => e.preventDefault()} onChange={forgetProbe} noValidate>
      <div className="settings-grid">
        <Field label="Database URL" value={url} onChange={setUrl} error={url === '' ? null : urlError} envVar={url0.env} placeholder="libsql://db-org.turso.io · file:/path/db.sqlite" testId="turso-url" />
        <SecretField entry={entry} value={token} onChange={setToken} envVars={['FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN']} testId="turso-token" />
      </div>
      <FormActions
        form="turso"
        canSave={url === '' || urlError === null}
        canTest={url !== '' && urlError === null}
        onTest={() => void test('turso', { kind: 'turso', url: url.trim(), ...(token ? { token } : {}) })}
        onSave={onSave}
        needsConsent={settings.secrets.consentRequired && token !== ''}
        consent={consent}
        setConsent={setConsent}
        warning={settings.secrets.warning}
      />
      <ProbeView result={probe} testId="turso-probe" />
      <EnvEquivalent text={envLines([['FOXCTL_TURSO_URL', url.trim() || '<url>'], ['FOXCTL_TURSO_TOKEN', '<token>']])} testId="turso-env" />
    </form>
  );
}
