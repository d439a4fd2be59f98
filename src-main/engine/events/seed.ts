import { newUlid } from './ids.js';
import type { SqliteDb } from '../db/sqlite.js';
import { FoxError, throwIfAborted } from '../errors.js';
import { prepareInserter } from './insert.js';
import { eventToRow, tsFromMs, type FoxEvent } from './model.js';

/** How sample events are generated. */
export interface SeedOptions {
  count: number;
  /** Spread the traces over [now - spanMs, now] (default 7 days). */
  spanMs?: number;
  /** The PRNG seed, for repeatable data (default 1). */
  seed?: number;
  /** The end of the time range in epoch ms (default now). */
  endMs?: number;
}

const COMMANDS = ['run', 'cas put', 'cas get', 'backup create', 'memory search', 'agent step', 'repo index', 'session resume'];
const CHILD_OPS: Record<string, string[]> = {
  run: ['skill.load', 'llm.call', 'tool.exec', 'db.query', 'cas.put'],
  'cas put': ['cas.hash', 'cas.write', 'db.query'],
  'cas get': ['cas.read', 'cas.verify'],
  'backup create': ['backup.snapshot', 'backup.archive', 'cas.read', 'db.query'],
  'memory search': ['embedding.query', 'db.query', 'llm.call'],
  'agent step': ['llm.call', 'tool.exec', 'mailbox.send', 'db.query'],
  'repo index': ['repoindex.scan', 'repoindex.parse', 'db.query'],
  'session resume': ['db.query', 'companion.load', 'llm.call'],
};
const ERRORS = [
  { error_type: 'TimeoutError', error_code: 'ETIMEDOUT', error_message: 'upstream request timeout after 30s', retriable: true },
  { error_type: 'SqliteError', error_code: 'SQLITE_BUSY', error_message: 'database is locked (busy timeout 5000 ms)', retriable: true },
  { error_type: 'ValidationError', error_code: 'INVALID_INPUT', error_message: 'tool arguments failed schema validation', retriable: false },
  { error_type: 'RateLimitError', error_code: 'HTTP_429', error_message: 'rate limit exceeded by provider quota', retriable: true },
  { error_type: 'NotFoundError', error_code: 'ENOENT', error_message: 'artifact missing from cas store', retriable: false },
];
const MESSAGES = ['started', 'completed', 'cache hit', 'cache miss', 'retrying once', 'streamed response', 'wrote snapshot'];

/** A small fast PRNG (mulberry32), so seeded data is the same on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Generates realistic traces in time order, in chunks: a root span per command with nested child
 * spans (depth up to 3), about 3% errors (which fail their parents up to the root), several
 * services, sessions, agents and workspaces. Yields arrays of complete events.
 */
export function* seedEvents(opts: SeedOptions, chunk = 10_000): Generator<FoxEvent[]> {
  if (!Number.isInteger(opts.count) || opts.count < 1 || opts.count > 100_000_000) {
    throw new FoxError('INVALID_INPUT', `count must be a whole number from 1 to 100000000 (got ${opts.count})`);
  }
  const rnd = prng(opts.seed ?? 1);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const spanMs = opts.spanMs ?? 7 * 86_400_000;
  const end = opts.endMs ?? Date.now();
  const sessions = Array.from({ length: 200 }, (_, i) => `sess-${String(i).padStart(4, '0')}`);
  const agents = Array.from({ length: 24 }, (_, i) => `agent-${['planner', 'coder', 'reviewer', 'tester'][i % 4]}-${i}`);
  const workspaces = Array.from({ length: 12 }, (_, i) => `ws-${['foxctl', 'studio', 'website', 'infra'][i % 4]}-${i}`);
  const avgTrace = 7;
  let made = 0;
  let out: FoxEvent[] = [];
  while (made < opts.count) {
    // Spread by events made so far, so the range is filled to its end whatever the trace sizes.
    const startMs = end - spanMs + Math.floor(Math.min(1, (made + rnd() * avgTrace) / opts.count) * (spanMs - 60_000));
    const command = pick(COMMANDS);
    const traceId = newUlid(startMs);
    const ctx = { service: pick(['foxctl', 'foxctl', 'foxctl-daemon', 'foxcular']), version: '1.8.2', session_id: pick(sessions), agent_id: pick(agents), workspace_id: pick(workspaces) };
    const spans: FoxEvent[] = [];
    const build = (parent: FoxEvent | null, op: string, at: number, depth: number): FoxEvent => {
      const ev: FoxEvent = {
        ts: tsFromMs(at).replace(/000000Z$/, `${String(Math.floor(rnd() * 1e6)).padStart(6, '0')}Z`),
        trace_id: traceId,
        span_id: newUlid(at),
        operation: op,
        // The command of the trace is the events' name: the Go writer's `command` column.
        name: command,
        status: 'ok',
        duration_ms: 0,
        data: { ...ctx, component: op.split('.')[0], subtype: depth === 0 ? 'command' : 'step' },
      };
      if (parent) ev.parent_id = parent.span_id;
      if (rnd() < 0.35) ev.message = pick(MESSAGES);
      spans.push(ev);
      let cursor = at + 1 + Math.floor(rnd() * 20);
      const kids = depth === 0 ? 2 + Math.floor(rnd() * 6) : depth < 3 && rnd() < 0.3 ? 1 + Math.floor(rnd() * 2) : 0;
      for (let k = 0; k < kids && made + spans.length < opts.count; k++) {
        const child = build(ev, pick(CHILD_OPS[command]!), cursor, depth + 1);
        cursor += child.duration_ms + Math.floor(rnd() * 10);
        if (child.status === 'error' && rnd() < 0.7) copyError(ev, child);
      }
      ev.duration_ms = Math.max(1, cursor - at + (rnd() < 0.01 ? 5000 + Math.floor(rnd() * 20_000) : Math.floor(rnd() * 200)));
      if (kids === 0 && rnd() < 0.03) copyError(ev, { ...pick(ERRORS), status: rnd() < 0.1 ? 'canceled' : 'error' });
      return ev;
    };
    build(null, 'cli.command', startMs, 0);
    // Emitted in start-time order, as a tracer that logs each span when it starts would.
    spans.sort((a, b) => (a.ts < b.ts ? -1 : 1));
    for (const s of spans) {
      if (made >= opts.count) break;
      out.push(s);
      made++;
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
  }
  if (out.length > 0) yield out;
}

function copyError(ev: FoxEvent, from: { error_type?: string; error_code?: string; error_message?: string; retriable?: boolean; status?: string; data?: { retriable?: unknown } }): void {
  ev.status = from.status === 'canceled' ? 'canceled' : 'error';
  if (from.error_type !== undefined) ev.error_type = from.error_type;
  if (from.error_code !== undefined) ev.error_code = from.error_code;
  if (from.error_message !== undefined) ev.error_message = from.error_message;
  const retriable = from.retriable ?? from.data?.retriable;
  if (typeof retriable === 'boolean' && ev.data) ev.data.retriable = retriable;
}

/** Inserts seed events straight into events.db (the bulk path: the syncer's insert, 10,000 per transaction). */
export function bulkInsertSeed(db: SqliteDb, opts: SeedOptions & { signal?: AbortSignal; onProgress?: (done: number, total: number) => void }): number {
  const insert = prepareInserter(db);
  const tx = db.transaction((evs: FoxEvent[]) => insert(evs.map(eventToRow)));
  let added = 0;
  let done = 0;
  for (const evs of seedEvents(opts)) {
    throwIfAborted(opts.signal, 'seed events');
    added += tx.immediate(evs);
    done += evs.length;
    opts.onProgress?.(done, opts.count);
  }
  return added;
}
