import { createClient } from '@libsql/client';
import { maskUrlSecrets } from '../config/mask.js';
import { scrubSecrets } from '../secrets/names.js';
import { since, type ProbeOptions, type ProbeResult } from './types.js';

/** The Turso form's values. */
export interface TursoProbeInput {
  url: string;
  token?: string | undefined;
}

const SCHEMES = new Set(['file:', 'libsql:', 'https:', 'http:', 'wss:', 'ws:']);

/** Opens the libSQL database and runs `SELECT 1`: the latency, or the client's exact error (token masked). */
export async function probeTurso(input: TursoProbeInput, opts: ProbeOptions = {}): Promise<ProbeResult> {
  const t0 = performance.now();
  const url = input.url.trim();
  const target = maskUrlSecrets(url);
  const secrets = [input.token, safeParam(url)];
  const fail = (code: string, message: string): ProbeResult => ({ ok: false, latencyMs: since(t0), target, code, message: scrubSecrets(message, secrets) });
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return fail('INVALID_INPUT', `"${target}" is not a URL (expected file:, libsql://, https:// or wss://)`);
  }
  if (!SCHEMES.has(parsed.protocol)) return fail('INVALID_INPUT', `unsupported scheme "${parsed.protocol}" (expected file:, libsql://, https:// or wss://)`);
  if (['libsql:', 'https:', 'wss:'].includes(parsed.protocol) && !input.token && !parsed.searchParams.has('authToken')) {
    return fail('INVALID_INPUT', `${target} is remote and needs a token`);
  }
  let client: ReturnType<typeof createClient> | undefined;
  const timeoutMs = opts.timeoutMs ?? 8000;
  let timer: NodeJS.Timeout | undefined;
  try {
    client = createClient({ url, ...(input.token ? { authToken: input.token } : {}) });
    const c = client;
    const rs = await Promise.race([
      c.execute('SELECT sqlite_version() AS v'),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'TIMEOUT' })), timeoutMs);
        opts.signal?.addEventListener('abort', () => reject(Object.assign(new Error('canceled'), { code: 'CANCELED' })), { once: true });
      }),
    ]);
    const v = rs.rows[0]?.v;
    return { ok: true, latencyMs: since(t0), target, detail: `answered SELECT 1${typeof v === 'string' ? ` (SQLite ${v})` : ''}` };
  } catch (err) {
    const e = err as { code?: unknown; message?: unknown; cause?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'ERROR';
    const cause = e.cause instanceof Error && typeof e.message === 'string' && !e.message.includes(e.cause.message) ? ` (${e.cause.message})` : '';
    return fail(code, `${code}: ${typeof e.message === 'string' ? e.message : String(err)}${cause}`);
  } finally {
    if (timer) clearTimeout(timer);
    client?.close();
  }
}

function safeParam(url: string): string | undefined {
  try {
    return new URL(url).searchParams.get('authToken') ?? undefined;
  } catch {
    return undefined;
  }
}
