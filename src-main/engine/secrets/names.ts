/** The secrets the app keeps, by logical name. */
export const SECRET_NAMES = ['s3.access_key_id', 's3.secret_access_key', 'turso.token', 'postgres.password'] as const;

/** One of SECRET_NAMES. */
export type SecretName = (typeof SECRET_NAMES)[number];

/** What a secret is for, and the env variables that override the stored value (highest first). */
export interface SecretDef {
  name: SecretName;
  label: string;
  /** Env variables that win over the stored secret. */
  env: string[];
}

/** Every secret, with its label and overriding env variables (FORMATS.md chains). */
export const SECRET_DEFS: readonly SecretDef[] = [
  { name: 's3.access_key_id', label: 'S3 access key id', env: ['AWS_ACCESS_KEY_ID'] },
  { name: 's3.secret_access_key', label: 'S3 secret access key', env: ['AWS_SECRET_ACCESS_KEY'] },
  { name: 'turso.token', label: 'Turso auth token', env: ['FOXCTL_TURSO_TOKEN', 'TURSO_AUTH_TOKEN'] },
  { name: 'postgres.password', label: 'PostgreSQL password', env: ['FOXCTL_POSTGRES_DSN', 'DATABASE_URL'] },
];

/** True when `name` is one of SECRET_NAMES. */
export function isSecretName(name: string): name is SecretName {
  return (SECRET_NAMES as readonly string[]).includes(name);
}

/** The definition of a secret. */
export function secretDef(name: SecretName): SecretDef {
  return SECRET_DEFS.find((d) => d.name === name)!;
}

/** The last 4 characters a user may see again; nothing for a secret shorter than 8 (4 would be half of it). */
export function last4(value: string): string {
  return value.length >= 8 ? value.slice(-4) : '';
}

/** Replaces every occurrence of each secret in `text` with `***` (for messages that might echo one). */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}
