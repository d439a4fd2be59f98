import { useState, type ReactNode } from 'react';
import type { CallArgs, Settings } from '../../src-preload/contract';
import { useStudio } from '../store';
import { EnvEquivalent, Field, FormActions, initialOf, ProbeView, SecretField, Toggle, useForgetProbeOnEdit } from './parts';
import { checkBucket, checkEndpoint, checkPrefix, checkRegion, envLines } from './validate';

const KEYS = {
  bucket: 'cas.s3.bucket',
  region: 'cas.s3.region',
  endpoint: 'cas.s3.endpoint',
  prefix: 'cas.s3.prefix',
  pathStyle: 'cas.s3.force_path_style',
  plainHttp: 'cas.s3.disable_ssl',
} as const;

/**
 * The S3 form (the CAS's s3 backend and pushed backups): bucket, region, endpoint, prefix, path
 * style, plain HTTP, access key and secret. Checked as typed; Test connection lists one key with
 * the typed values; Save writes config.yaml and the secret store.
 */
export function SettingsS3Form({ settings }: { settings: Settings }): ReactNode {
  const init = (k: string): { text: string; env: string | null } => initialOf(settings, k);
  const [bucket, setBucket] = useState(init(KEYS.bucket).text);
  const [region, setRegion] = useState(init(KEYS.region).text);
  const [endpoint, setEndpoint] = useState(init(KEYS.endpoint).text);
  const [prefix, setPrefix] = useState(init(KEYS.prefix).text);
  const [pathStyle, setPathStyle] = useState(init(KEYS.pathStyle).text === 'true');
  const [plainHttp, setPlainHttp] = useState(init(KEYS.plainHttp).text === 'true');
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secret, setSecret] = useState('');
  const [consent, setConsent] = useState(false);
  const save = useStudio((s) => s.saveSettings);
  const test = useStudio((s) => s.testConnection);
  const forgetProbe = useForgetProbeOnEdit('s3');
  const probe = useStudio((s) => s.settingsProbe.s3);
  const entry = (n: string) => settings.secrets.entries.find((e) => e.name === n);
  const idEntry = entry('s3.access_key_id');
  const secretEntry = entry('s3.secret_access_key');

  const errors = {
    bucket: checkBucket(bucket),
    region: checkRegion(region),
    endpoint: checkEndpoint(endpoint),
    prefix: checkPrefix(prefix),
    // A key pair is whole or absent: one half typed needs the other typed or saved.
    accessKeyId: secret && !accessKeyId && !idEntry?.set ? 'needed with a secret' : null,
    secret: accessKeyId && !secret && !secretEntry?.set ? 'needed with an access key id' : null,
  };
  const valid = Object.values(errors).every((e) => e === null);
  const typedSecrets = accessKeyId !== '' || secret !== '';

  const values = (): CallArgs<'settings.save'>['values'] =>
    [
      [KEYS.bucket, bucket.trim() || null],
      [KEYS.region, region.trim() || null],
      [KEYS.endpoint, endpoint.trim() || null],
      [KEYS.prefix, prefix.trim() || null],
      [KEYS.pathStyle, pathStyle],
      [KEYS.plainHttp, plainHttp],
    ]
      .filter(([k]) => !init(k as string).env)
      .map(([key, value]) => ({ key: key as string, value: value as string | boolean | null }));

  const onSave = (): void => {
    const secrets: NonNullable<CallArgs<'settings.save'>['secrets']> = [];
    if (accessKeyId) secrets.push({ name: 's3.access_key_id', value: accessKeyId.trim() });
    if (secret) secrets.push({ name: 's3.secret_access_key', value: secret });
    void save('s3', { values: values(), secrets, plaintextConsent: consent }).then((ok) => {
      if (ok) {
        setAccessKeyId('');
        setSecret('');
      }
    });
  };
  const onTest = (): void =>
    void test('s3', {
      kind: 's3',
      bucket: bucket.trim(),
      region: region.trim() || undefined,
      endpoint: endpoint.trim() || undefined,
      prefix,
      forcePathStyle: pathStyle,
      disableSsl: plainHttp,
      ...(accessKeyId ? { accessKeyId: accessKeyId.trim() } : {}),
      ...(secret ? { secretAccessKey: secret } : {}),
    });

  const env = envLines([
    ['FOXCTL_CAS_S3_BUCKET', bucket.trim() || '<bucket>'],
    ...(region.trim() ? [['FOXCTL_CAS_S3_REGION', region.trim()] as [string, string]] : []),
    ...(endpoint.trim() ? [['FOXCTL_CAS_S3_ENDPOINT', endpoint.trim()] as [string, string]] : []),
    ['FOXCTL_CAS_S3_PREFIX', prefix],
    ...(pathStyle ? [['FOXCTL_CAS_S3_FORCE_PATH_STYLE', 'true'] as [string, string]] : []),
    ...(plainHttp ? [['FOXCTL_CAS_S3_DISABLE_SSL', 'true'] as [string, string]] : []),
    ['AWS_ACCESS_KEY_ID', '<access key id>'],
    ['AWS_SECRET_ACCESS_KEY', '<secret access key>'],
  ]);

  return (
    <form className="settings-form" data-testid="s3-form" aria-label="S3" onSubmit={(e) => e.preventDefault()} onChange={forgetProbe} noValidate>
      <div className="settings-grid">
        <Field label="Bucket" value={bucket} onChange={setBucket} error={errors.bucket} envVar={init(KEYS.bucket).env} placeholder="my-bucket" testId="s3-bucket" />
        <Field label="Region" value={region} onChange={setRegion} error={errors.region} envVar={init(KEYS.region).env} placeholder="us-east-1" testId="s3-region" />
        <Field label="Endpoint" value={endpoint} onChange={setEndpoint} error={errors.endpoint} envVar={init(KEYS.endpoint).env} placeholder="empty for AWS · http://127.0.0.1:9000" testId="s3-endpoint" />
        <Field label="Prefix" value={prefix} onChange={setPrefix} error={errors.prefix} envVar={init(KEYS.prefix).env} placeholder="cas/" testId="s3-prefix" />
      </div>
      <div className="settings-toggles">
        <Toggle label="Path-style URLs (MinIO, s3rver)" checked={pathStyle} onChange={setPathStyle} envVar={init(KEYS.pathStyle).env} />
        <Toggle label="Plain HTTP (no TLS)" checked={plainHttp} onChange={setPlainHttp} envVar={init(KEYS.plainHttp).env} />
      </div>
      <div className="settings-grid">
        <Field
          label="Access key id"
          value={accessKeyId}
          onChange={setAccessKeyId}
          error={errors.accessKeyId}
          placeholder={idEntry?.set ? `saved · ends in ${idEntry.last4 || '····'}` : 'AKIA…'}
          hint={idEntry?.set ? 'saved in the secret store; type to replace' : 'kept in the secret store, not config.yaml'}
          testId="s3-access-key"
        />
        <SecretField entry={secretEntry} value={secret} onChange={setSecret} error={errors.secret} envVars={['AWS_SECRET_ACCESS_KEY']} testId="s3-secret" />
      </div>
      <FormActions
        form="s3"
        canSave={valid}
        canTest={valid}
        onTest={onTest}
        onSave={onSave}
        needsConsent={settings.secrets.consentRequired && typedSecrets}
        consent={consent}
        setConsent={setConsent}
        warning={settings.secrets.warning}
      />
      <ProbeView result={probe} testId="s3-probe" />
      <EnvEquivalent text={env} testId="s3-env" />
    </form>
  );
}
