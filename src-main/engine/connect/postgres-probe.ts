import { maskUrlSecrets } from '../config/mask.js';
import type { FoxConfig } from '../config/resolve.js';
import { checkStoreConnection } from '../db/drivers/check.js';
import { isFoxError } from '../errors.js';
import { scrubSecrets } from '../secrets/names.js';
import { dsnWithPassword } from '../secrets/saved-settings.js';
import { since, type ProbeOptions, type ProbeResult } from './types.js';

/** The PostgreSQL form's values: a DSN and, apart from it, the password. */
export interface PostgresProbeInput {
  dsn: string;
  password?: string | undefined;
}

/** The store whose schema the probe looks at: the first sync-critical store a move to PostgreSQL takes. */
const PROBE_STORE = 'MEMORY';

/**
 * Connects read-only through the postgres store driver (db/drivers: nothing is created), pings a
 * few times and reads the version, the store schema's migration and pgvector: the latency, or the
 * driver's error with the server's own message and SQLSTATE (password masked).
 */
export async function probePostgres(config: FoxConfig, input: PostgresProbeInput, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const t0 = performance.now();
  const dsn = dsnWithPassword(input.dsn.trim(), input.password);
  const target = maskUrlSecrets(dsn);
  let password: string | undefined;
  try {
    password = decodeURIComponent(new URL(dsn).password) || undefined;
  } catch {
    password = undefined;
  }
  const secrets = [input.password, password];
  if (!/^postgres(ql)?:\/\//i.test(dsn)) {
    return { ok: false, latencyMs: since(t0), target, code: 'INVALID_INPUT', message: `"${target}" is not a PostgreSQL DSN (expected postgres://user@host:port/database)` };
  }
  try {
    const c = await checkStoreConnection(config, PROBE_STORE, { target: { dsn }, pings: 3, signal: opts.signal });
    const schema = c.schema ? `schema "${c.schema}" ${c.schema_version === null ? 'not migrated yet' : `at migration ${c.schema_version}`}` : '';
    return {
      ok: true,
      latencyMs: c.connect_ms,
      target: c.location,
      detail: `${c.version.split(' ').slice(0, 2).join(' ')}; round trip ${c.latency_ms} ms; ${schema}; pgvector ${c.pgvector ?? 'n/a'}`,
    };
  } catch (err) {
    const cause = (err as { cause?: { code?: unknown } }).cause;
    const sqlstate = typeof cause?.code === 'string' && /^[0-9A-Z]{5}$/.test(cause.code) ? cause.code : null;
    const code = sqlstate ?? (isFoxError(err) ? err.code : 'ERROR');
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, latencyMs: since(t0), target, code, message: scrubSecrets(`${message}${sqlstate && !message.includes(sqlstate) ? ` (SQLSTATE ${sqlstate})` : ''}`, secrets) };
  }
}
