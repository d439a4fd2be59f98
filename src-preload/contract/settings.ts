// The Settings view's part of the bridge: config values with their sources, secrets (status only,
// never a value), connection probes, store drivers, and the settings.* / secrets.* calls.
import { z } from 'zod';
import { call, cliLine, none } from './parts';

/** A config value with where it came from. */
export const configValueSchema = z.object({
  key: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('default') }),
    z.object({ kind: z.literal('file'), file: z.string(), key: z.string().optional() }),
    z.object({ kind: z.literal('env'), variable: z.string() }),
  ]),
  env: z.array(z.string()),
  description: z.string(),
});

/** A config value with where it came from. */
export type ConfigValue = z.infer<typeof configValueSchema>;

/** A key of config.yaml that nothing reads (a typo?): its line, the key it likely meant, one sentence. */
export const configWarningSchema = z.object({
  key: z.string(),
  line: z.number().int().nullable(),
  suggestion: z.string().nullable(),
  message: z.string(),
});

/** A warning about config.yaml (never fatal). */
export type ConfigWarning = z.infer<typeof configWarningSchema>;// ---- the Settings view's schemas ----

/** The secrets the Settings view can save (engine/secrets/names.ts). */
export const SECRET_NAMES = ['s3.access_key_id', 's3.secret_access_key', 'turso.token', 'postgres.password'] as const;

/** One of SECRET_NAMES. */
export type SecretName = (typeof SECRET_NAMES)[number];

/** What the renderer ever sees of a secret: whether it is set and its last 4 characters, never the value. */
export const secretEntrySchema = z.object({
  name: z.enum(SECRET_NAMES),
  label: z.string(),
  set: z.boolean(),
  last4: z.string().max(4),
  stored: z.enum(['os', 'basic_text', 'none', 'plain']).nullable(),
  readable: z.boolean(),
  updatedAt: z.string().nullable(),
});

/** A secret's status as the bridge returns it. */
export type SecretEntry = z.infer<typeof secretEntrySchema>;

/** How the secret store protects values here and whether saving needs the user's consent. */
export const secretStoreSchema = z.object({
  file: z.string(),
  protection: z.enum(['os', 'basic_text', 'none']),
  cipher: z.string().nullable(),
  consentRequired: z.boolean(),
  warning: z.string().nullable(),
  entries: z.array(secretEntrySchema),
});

/** The secret store's status. */
export type SecretStoreInfo = z.infer<typeof secretStoreSchema>;

/** Everything the Settings view shows: values with sources (DSNs masked) and the secret store. */
export const settingsSchema = z.object({
  home: z.string(),
  configFile: z.string(),
  configFileLoaded: z.boolean(),
  values: z.array(configValueSchema),
  /** Unknown keys of config.yaml (typos), shown as a notice. */
  warnings: z.array(configWarningSchema),
  secrets: secretStoreSchema,
  /** The one-line resolution order, as the engine applies it. */
  order: z.string(),
});

/** The Settings view's data. */
export type Settings = z.infer<typeof settingsSchema>;

const settingValue = z.union([z.string().max(4096), z.number(), z.boolean(), z.null()]);
const secretValue = z.string().max(8192);

/** What a save changed: each key's new value and the env variable that still overrides it. */
export const settingsSaveResultSchema = z.object({
  changes: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]), overriddenBy: z.string().nullable() })),
  secrets: z.array(secretEntrySchema),
  settings: settingsSchema,
  /** Set when the values were saved but the running CAS could not switch yet (a CAS job runs). */
  notice: z.string().nullable(),
});

/** The result of settings.save. */
export type SettingsSaveResult = z.infer<typeof settingsSaveResultSchema>;

/** A "Test connection" result: latency, or the exact error with secrets masked. */
export const probeResultSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), latencyMs: z.number(), target: z.string(), detail: z.string() }),
  z.object({ ok: z.literal(false), latencyMs: z.number(), target: z.string(), code: z.string(), message: z.string() }),
]);

/** The result of settings.test. */
export type ProbeResult = z.infer<typeof probeResultSchema>;

/** What settings.test probes: a form's current values; an absent secret means "the saved one (or env)". */
export const settingsTestInputSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('s3'),
      bucket: z.string().max(255),
      region: z.string().max(64).optional(),
      endpoint: z.string().max(2048).optional(),
      prefix: z.string().max(1024).optional(),
      forcePathStyle: z.boolean().optional(),
      disableSsl: z.boolean().optional(),
      accessKeyId: secretValue.optional(),
      secretAccessKey: secretValue.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('turso'), url: z.string().max(4096), token: secretValue.optional() }).strict(),
  z.object({ kind: z.literal('postgres'), dsn: z.string().max(4096), password: secretValue.optional() }).strict(),
]);

/** The input of settings.test. */
export type SettingsTestInput = z.infer<typeof settingsTestInputSchema>;

/** The database drivers a store can use. */
export const STORE_DRIVER_NAMES = ['sqlite', 'turso', 'postgres', 'libsql'] as const;

/** One writable store's driver in the Settings view: effective value, source, warning, env equivalent. */
export const storeDriverRowSchema = z.object({
  store: z.string(),
  class: z.enum(['sync_critical', 'sync_useful', 'local_only', 'observability', 'external']),
  keyed: z.boolean(),
  driver: z.string().nullable(),
  source: z.enum(['env', 'file', 'default']),
  from: z.string(),
  saved: z.string().nullable(),
  envVar: z.string(),
  key: z.string(),
  allowed: z.array(z.enum(STORE_DRIVER_NAMES)),
  location: z.string().nullable(),
  warning: z.string().nullable(),
  error: z.string().nullable(),
});

/** A store's driver row. */
export type StoreDriverRow = z.infer<typeof storeDriverRowSchema>;

/** Every writable store's driver and the default driver (db.driver). */
export const storeDriversSchema = z.object({
  defaultDriver: z.string(),
  defaultFrom: z.string(),
  stores: z.array(storeDriverRowSchema),
  external: z.array(z.string()),
});

/** The result of settings.storeDrivers. */
export type StoreDriversInfo = z.infer<typeof storeDriversSchema>;

/** The calls of the Settings view, spread into CALLS. */
export function settingsCalls() {
  return {
    'config.show': call(
      none,
      z.object({ home: z.string(), configFile: z.string(), configFileLoaded: z.boolean(), values: z.array(configValueSchema), warnings: z.array(configWarningSchema) }),
      'every effective config value with its source, and warnings about unknown keys of config.yaml',
    ),
    'settings.get': call(none, settingsSchema, 'every config value with its source (DSNs masked) and the secret store status (set + last 4, never a value)'),
    'settings.save': call(
      z
        .object({
          values: z.array(z.object({ key: z.string().min(1).max(200), value: settingValue }).strict()).max(100),
          secrets: z.array(z.object({ name: z.enum(SECRET_NAMES), value: secretValue.nullable() }).strict()).max(10).optional(),
          /** The user's explicit "I understand" to keep secrets without OS encryption (browser mode, basic_text). */
          plaintextConsent: z.boolean().optional(),
        })
        .strict(),
      settingsSaveResultSchema,
      'writes values into config.yaml (validated, atomically) and secrets into the secret store; the engine uses them at once',
    ),
    'settings.test': call(settingsTestInputSchema, probeResultSchema, 'Test connection for an S3, Turso or PostgreSQL form: latency or the exact error'),
    'settings.moveCasToS3': call(none, z.object({ jobId: z.string(), cli: cliLine }), 'copies every CAS object to the saved S3 settings as a cas.migrate job'),
    'secrets.status': call(none, secretStoreSchema, 'the secret store: protection, consent needed, each secret set + last 4'),
    'secrets.delete': call(z.object({ name: z.enum(SECRET_NAMES) }).strict(), secretEntrySchema, 'removes a saved secret'),
    'settings.storeDrivers': call(none, storeDriversSchema, "each writable store's driver with its source (default / config file / env), where it points (masked) and the local_only warning"),
    'settings.setStoreDriver': call(
      z.object({ store: z.string().min(1).max(64), driver: z.enum(STORE_DRIVER_NAMES).nullable() }).strict(),
      z.object({ overriddenBy: z.string().nullable(), drivers: storeDriversSchema, notice: z.string().nullable() }),
      'saves stores.<store>.driver in config.yaml (null: back to db.driver) and applies it; refused for external stores, keyed stores on a remote driver, and turso/postgres without a saved URL/DSN',
    ),
  } as const;
}
