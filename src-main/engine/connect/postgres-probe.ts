import pg from 'pg';
import { maskUrlSecrets } from '../config/mask.js';
import { dsnWithPassword } from '../secrets/saved-settings.js';
import { scrubSecrets } from '../secrets/names.js';
import { since, type ProbeOptions, type ProbeResult } from './types.js';

/** The PostgreSQL form's values: a DSN and, apart from it, the password. */
export interface PostgresProbeInput {
  dsn: string;
  password?: string | undefined;
}

/** Connects, runs `SELECT version()` and disconnects: the latency, or the server's exact error (password masked). */
export async function probePostgres(input: PostgresProbeInput, opts: ProbeOptions = {}): Promise<ProbeResult> {
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
  const fail = (code: string, message: string): ProbeResult => ({ ok: false, latencyMs: since(t0), target, code, message: scrubSecrets(message, secrets) });
  if (!/^postgres(ql)?:\/\//i.test(dsn)) return fail('INVALID_INPUT', `"${target}" is not a PostgreSQL DSN (expected postgres://user@host:port/database)`);
  const timeoutMs = opts.timeoutMs ?? 8000;
  const client = new pg.Client({ connectionString: dsn, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  // An error after connect (server gone) must not crash the process.
  client.on('error', () => undefined);
  const onAbort = (): void => void client.end().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const rs = await client.query<{ v: string }>('SELECT version() AS v');
    const version = rs.rows[0]?.v.split(' ').slice(0, 2).join(' ') ?? 'PostgreSQL';
    return { ok: true, latencyMs: since(t0), target, detail: `connected: ${version}` };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'ERROR';
    const msg = typeof e.message === 'string' && e.message ? e.message : String(err);
    return fail(code, `${msg}${/^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : code !== 'ERROR' && !msg.includes(code) ? ` (${code})` : ''}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}
