import type { Settings, SettingsTestInput } from '../../src-preload/contract.js';
import { startCasMigrate } from '../engine/cas/migrate.js';
import { resolveS3Settings, type S3Credentials } from '../engine/cas/s3-config.js';
import { resolveTursoSettings } from '../engine/cas/turso-config.js';
import { editConfig, type ConfigEdit, type ConfigEditChange } from '../engine/config/edit.js';
import type { Env } from '../engine/config/resolve.js';
import { probePostgres, probeS3, probeTurso, type ProbeResult } from '../engine/connect/index.js';
import type { Engine } from '../engine/engine.js';
import { FoxError, isFoxError } from '../engine/errors.js';
import { secretDef, type SecretName } from '../engine/secrets/names.js';
import type { SecretEntryStatus } from '../engine/secrets/store.js';
import { setStoreDriver, storeDriverEdit, storeDrivers, storeOfDriverKey } from '../engine/stores/store-drivers.js';
import type { Handlers } from './handlers.js';

/** The calls of the Settings view. */
export type SettingsCallName =
  | 'settings.get'
  | 'settings.save'
  | 'settings.test'
  | 'settings.moveCasToS3'
  | 'settings.storeDrivers'
  | 'settings.setStoreDriver'
  | 'secrets.status'
  | 'secrets.delete';

/** The resolution order the engine applies, as the Settings view states it. */
export const RESOLUTION_ORDER = 'environment variable > secret store / config file > default';

/** Everything the Settings view shows, resolved afresh (the file may have changed). */
function settingsOf(engine: Engine): Settings {
  const fresh = engine.settings.resolveFresh();
  return {
    home: fresh.home,
    configFile: fresh.configFile,
    configFileLoaded: fresh.configFileLoaded,
    values: fresh.values,
    warnings: fresh.warnings,
    secrets: engine.settings.secrets.status(),
    order: RESOLUTION_ORDER,
  };
}

/** A DSN split into the DSN without its password and the password ('***' counts as none: a masked value). */
export function splitDsnPassword(dsn: string): { dsn: string; password: string | undefined } {
  try {
    const u = new URL(dsn);
    if (!u.password) return { dsn, password: undefined };
    const password = decodeURIComponent(u.password);
    u.password = '';
    return { dsn: u.toString(), password: password === '***' ? undefined : password };
  } catch {
    return { dsn, password: undefined };
  }
}

const firstSet = (env: Env, names: readonly string[]): string | undefined => names.map((n) => env[n]?.trim()).find((v) => !!v);

/** The saved secret when this process can read it. */
function saved(engine: Engine, name: SecretName): string | undefined {
  try {
    return engine.settings.secrets.reveal(name);
  } catch {
    return undefined;
  }
}

/** S3 credentials for a test: the form's, else the saved ones, else the env's pair, else the SDK's chain (undefined). */
function s3Credentials(engine: Engine, input: Extract<SettingsTestInput, { kind: 's3' }>): S3Credentials | undefined {
  const env = engine.settings.baseEnv;
  const accessKeyId = input.accessKeyId?.trim() || saved(engine, 's3.access_key_id') || firstSet(env, ['AWS_ACCESS_KEY_ID']);
  const secretAccessKey = input.secretAccessKey || saved(engine, 's3.secret_access_key') || firstSet(env, ['AWS_SECRET_ACCESS_KEY']);
  return accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined;
}

/** Runs the probe of one form. */
async function testConnection(engine: Engine, input: SettingsTestInput, signal: AbortSignal): Promise<ProbeResult> {
  switch (input.kind) {
    case 's3':
      return probeS3({ ...input, credentials: s3Credentials(engine, input) }, { signal });
    case 'turso':
      return probeTurso({ url: input.url, token: input.token || saved(engine, 'turso.token') || firstSet(engine.settings.baseEnv, secretDef('turso.token').env) }, { signal });
    case 'postgres': {
      const split = splitDsnPassword(input.dsn.trim());
      return probePostgres(engine.config, { dsn: split.dsn, password: input.password || split.password || saved(engine, 'postgres.password') }, { signal });
    }
  }
}

/**
 * After a save that switched the CAS backend: when the new backend's settings are incomplete (no
 * bucket, no URL), puts the previous driver back and fails naming what is missing, so the CAS
 * never points at a backend that cannot open. The save's other values stay saved.
 */
async function refuseUnusableCasDriver(engine: Engine, change: ConfigEditChange | undefined): Promise<void> {
  if (!change || change.overriddenBy) return;
  try {
    if (change.value === 's3') resolveS3Settings(engine.config.env);
    if (change.value === 'turso') resolveTursoSettings(engine.config.env);
  } catch (err) {
    const previous = typeof change.previous === 'string' ? change.previous : null;
    editConfig(engine.config.configFile, [{ key: 'cas.driver', value: previous }]);
    await engine.reloadSettings().catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new FoxError('INVALID_INPUT', `the CAS was not switched to ${String(change.value)} (the other values were saved): ${why}`, { subject: 'cas' });
  }
}

/**
 * Handlers of the Settings view. Secrets arrive in save and test inputs and never leave: every
 * response carries a secret as `{set, last4}` only, and DSNs masked.
 */
export function createSettingsHandlers(engine: Engine): Pick<Handlers, SettingsCallName> {
  return {
    'settings.get': async () => settingsOf(engine),
    'settings.save': async (input) => {
      const store = engine.settings.secrets;
      const secrets = new Map<SecretName, string | null>((input.secrets ?? []).map((s) => [s.name, s.value]));
      // A password typed inside the DSN goes to the secret store, never into config.yaml.
      const values: ConfigEdit[] = input.values.map((v) => {
        // A store's driver gets the checks of settings.setStoreDriver (keyed stores, a saved DSN/URL).
        const driverOf = storeOfDriverKey(v.key);
        if (driverOf) return storeDriverEdit(engine.config, driverOf, v.value === null ? null : String(v.value));
        if (v.key !== 'postgres.dsn' || typeof v.value !== 'string') return v;
        const split = splitDsnPassword(v.value.trim());
        if (split.password !== undefined && !secrets.has('postgres.password')) secrets.set('postgres.password', split.password);
        return { key: v.key, value: split.dsn === '' ? null : split.dsn };
      });
      const toSet = [...secrets].filter(([, v]) => v !== null && v !== '');
      // Refuse before writing anything: a half-saved form is worse than none.
      if (toSet.length > 0 && store.status().consentRequired && input.plaintextConsent !== true) {
        const labels = toSet.map(([n]) => secretDef(n).label).join(', ');
        throw new FoxError('UNSUPPORTED', `nothing was saved: ${store.warning() ?? ''} Tick "I understand" to keep ${labels} there, or set the env variables instead.`, { subject: 'secrets' });
      }
      const edit = editConfig(engine.config.configFile, values, { env: engine.settings.baseEnv });
      const changed: SecretEntryStatus[] = [];
      for (const [name, value] of secrets) {
        if (value === null) changed.push(store.delete(name));
        else if (value !== '') changed.push(store.set(name, value, { plaintextConsent: input.plaintextConsent === true }));
      }
      let notice: string | null = null;
      try {
        await engine.reloadSettings();
      } catch (err) {
        if (!isFoxError(err, 'CONFLICT')) throw err;
        notice = err.message;
      }
      await refuseUnusableCasDriver(engine, edit.changes.find((c) => c.key === 'cas.driver'));
      return {
        changes: edit.changes.map((c) => ({ key: c.key, value: c.value, overriddenBy: c.overriddenBy })),
        secrets: changed,
        settings: settingsOf(engine),
        notice,
      };
    },
    'settings.test': async (input, { signal }) => testConnection(engine, input, signal),
    'settings.moveCasToS3': async () => ({ jobId: startCasMigrate(engine, 's3').id, cli: 'foxctl cas migrate --to s3' }),
    'settings.storeDrivers': async () => storeDrivers(engine.config, engine.settings.resolveFresh(), engine.settings.baseEnv),
    'settings.setStoreDriver': async (input) => {
      const change = setStoreDriver(engine.config, engine.settings.baseEnv, input.store, input.driver);
      let notice: string | null = null;
      try {
        await engine.reloadSettings();
      } catch (err) {
        if (!isFoxError(err, 'CONFLICT')) throw err;
        notice = err.message;
      }
      const drivers = await storeDrivers(engine.config, engine.settings.resolveFresh(), engine.settings.baseEnv);
      return { overriddenBy: change.overriddenBy, drivers, notice };
    },
    'secrets.status': async () => engine.settings.secrets.status(),
    'secrets.delete': async (input) => {
      const st = engine.settings.secrets.delete(input.name);
      await engine.reloadSettings().catch((err: unknown) => {
        if (!isFoxError(err, 'CONFLICT')) throw err;
      });
      return st;
    },
  };
}
