import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { availableParallelism, setPriority } from 'node:os';
import { canceled, FoxError, toFoxError } from '../../errors.js';
import { formatDuration } from '../../util/duration.js';
import { sqliteNativeBinding } from '../sqlite.js';
import { QUERY_CHILD_SOURCE, READY_LINE } from './child-source.js';
import { WaitLine } from './wait-line.js';

const requireHere = createRequire(import.meta.url);

/** What a query child answers (one JSON line per request). */
export interface ChildReply {
  ok: boolean;
  columns?: string[];
  rows?: unknown[][];
  truncated?: boolean;
  code?: string;
  fox?: FoxError['code'];
  message?: string;
}

/** How one request runs: its time limit, its signal, how errors name the database. */
export interface HostRunOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  subject: string;
  /** Refuse replies larger than this many bytes (the child is killed). */
  maxReplyBytes: number;
}

interface Warm {
  proc: ChildProcessWithoutNullStreams;
  /** Set while a request is in flight: receives the reply line or the child's end. */
  waiter: ((line: string | Error) => void) | null;
  buffer: string;
  bytes: number;
  maxBytes: number;
  stderr: string;
  idleTimer: NodeJS.Timeout | null;
  dead: boolean;
  /** The child has started (its ready line came): until then a request's time limit waits. */
  ready: boolean;
  onReady: (() => void) | null;
}

/** Limits of a QueryHost; the defaults suit the studio (a few queries of one user at a time). */
export interface QueryHostOptions {
  /** Idle children kept warm (default 2). */
  maxIdle?: number;
  /** An idle child exits after this many ms (default 30 s). */
  idleMs?: number;
  /** Children running at once (default: cores + 1, from 2 to 4). */
  maxBusy?: number;
  /** Requests waiting for a child beyond those (default 8); more are refused at once. */
  maxWaiting?: number;
  /** A request waits at most this long for a child (default 10 s), then is refused. */
  maxWaitMs?: number;
}

/** Query children a host runs at once by default: each one takes a core, and the studio itself needs one. */
export const DEFAULT_MAX_BUSY = Math.min(4, Math.max(2, availableParallelism() + 1));

/**
 * A small pool of warm query children, so the GUI's table browser and SQL console do not pay a
 * process start per page. One request at a time per child; a child whose request times out or is
 * aborted is SIGKILLed and never reused. Idle children are unref'd (they never keep a CLI alive)
 * and exit after `idleMs`. At most `maxBusy` children run at once, so a burst of queries cannot
 * starve the studio of CPU: later requests wait in a bounded line, then get UNAVAILABLE.
 */
export class QueryHost {
  private readonly idle: Warm[] = [];
  private readonly busy = new Set<Warm>();
  private readonly line: WaitLine<Warm>;
  private readonly maxBusy: number;
  private readonly maxWaiting: number;
  private readonly maxWaitMs: number;
  private closed = false;
  private spawned = 0;

  constructor(private readonly opts: QueryHostOptions = {}) {
    this.maxBusy = opts.maxBusy ?? DEFAULT_MAX_BUSY;
    this.maxWaiting = opts.maxWaiting ?? 8;
    this.maxWaitMs = opts.maxWaitMs ?? 10_000;
    this.line = new WaitLine({ maxWaiting: this.maxWaiting, maxWaitMs: this.maxWaitMs });
  }

  /** Sends one request line and resolves with the child's reply. */
  async run(request: string, o: HostRunOptions): Promise<ChildReply> {
    if (this.closed) throw new FoxError('UNAVAILABLE', 'the query host is closed', { subject: o.subject });
    if (o.signal?.aborted) throw canceled(o.signal, 'query');
    const w = this.busy.size < this.maxBusy && this.line.size === 0 ? this.acquire() : await this.queue(o);
    return await new Promise<ChildReply>((resolve, reject) => {
      let settled = false;
      const done = (fn: () => void, reuse: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        w.onReady = null;
        o.signal?.removeEventListener('abort', onAbort);
        w.waiter = null;
        if (reuse) this.release(w);
        else this.discard(w);
        fn();
      };
      const kill = (why: FoxError): void => done(() => reject(why), false);
      let timer: NodeJS.Timeout | undefined;
      // The limit counts the query, not the start of a new child (slow on a loaded machine at its lower priority).
      const startTimer = (): void => {
        w.onReady = null;
        if (settled || o.timeoutMs <= 0) return;
        timer = setTimeout(
          () =>
            kill(
              new FoxError('CANCELED', `query interrupted: it ran longer than its ${formatDuration(o.timeoutMs)} time limit (raise it with --timeout)`, {
                subject: o.subject,
              }),
            ),
          o.timeoutMs,
        );
      };
      if (w.ready) startTimer();
      else w.onReady = startTimer;
      const onAbort = (): void => kill(canceled(o.signal, 'query'));
      o.signal?.addEventListener('abort', onAbort, { once: true });
      w.maxBytes = o.maxReplyBytes;
      w.waiter = (line) => {
        if (line instanceof Error) {
          const err = line instanceof FoxError ? new FoxError(line.code, `${o.subject}: ${line.message}`, { subject: o.subject, cause: line }) : line;
          return done(() => reject(err), false);
        }
        try {
          const reply = JSON.parse(line) as ChildReply;
          done(() => resolve(reply), true);
        } catch (err) {
          done(() => reject(new FoxError('IO', `${o.subject}: unreadable answer from the query process`, { subject: o.subject, cause: err })), false);
        }
      };
      w.proc.stdin.write(`${request}\n`, (err) => {
        if (err) kill(toFoxError(err, `${o.subject}: cannot talk to the query process`));
      });
    });
  }

  /** Children started so far, how many are idle or busy now, and requests waiting (diagnostics and tests). */
  stats(): { spawned: number; idle: number; busy: number; waiting: number } {
    return { spawned: this.spawned, idle: this.idle.length, busy: this.busy.size, waiting: this.line.size };
  }

  /** Kills every child, busy or idle, and refuses waiting requests; later runs fail with UNAVAILABLE. */
  close(): void {
    this.closed = true;
    this.line.failAll(new FoxError('UNAVAILABLE', 'the query host is closed'));
    for (const w of [...this.idle, ...this.busy]) this.discard(w);
  }

  /**
   * Refuses at once when every child is busy and the line is full, so a caller can skip its own
   * checks (file, statement) for a request that would be refused anyway: a burst stays cheap.
   */
  assertCapacity(subject: string): void {
    if (this.busy.size >= this.maxBusy && this.line.size >= this.maxWaiting) throw this.tooMany('full', subject);
  }

  /** The UNAVAILABLE answer of a request that found no child. */
  private tooMany(why: 'full' | 'waited', subject: string): FoxError {
    const waited = why === 'waited' ? ` (waited ${formatDuration(this.maxWaitMs)} for a query process)` : '';
    return new FoxError('UNAVAILABLE', `too many queries running (${this.busy.size}); try again when one finishes${waited}`, { subject });
  }

  /** Waits in line for a child; the time limit of the query starts once it has one. */
  private async queue(o: HostRunOptions): Promise<Warm> {
    const w = await this.line.wait((why) => this.tooMany(why, o.subject), { signal: o.signal, what: 'query' });
    // Handed over while the caller was being canceled: give the child straight back.
    if (o.signal?.aborted) {
      this.release(w);
      throw canceled(o.signal, 'query');
    }
    return w;
  }

  /** Gives freed capacity to the requests waiting in line, oldest first. */
  private pump(): void {
    while (!this.closed && this.busy.size < this.maxBusy && this.line.handOff(() => this.acquire()));
  }

  private acquire(): Warm {
    let w = this.idle.pop();
    while (w && w.dead) w = this.idle.pop();
    w ??= this.spawn();
    if (w.idleTimer) clearTimeout(w.idleTimer);
    w.idleTimer = null;
    w.buffer = '';
    w.bytes = 0;
    setHeld(w, true);
    this.busy.add(w);
    return w;
  }

  private release(w: Warm): void {
    this.busy.delete(w);
    if (w.dead || this.closed || this.idle.length >= (this.opts.maxIdle ?? 2)) return this.discard(w);
    setHeld(w, false);
    w.idleTimer = setTimeout(() => {
      const i = this.idle.indexOf(w);
      if (i >= 0) this.idle.splice(i, 1);
      this.discard(w);
    }, this.opts.idleMs ?? 30_000);
    w.idleTimer.unref();
    this.idle.push(w);
    this.pump();
  }

  private discard(w: Warm): void {
    // A caller still waiting on this child learns why; run() clears the waiter before discarding.
    const waiter = w.waiter;
    w.waiter = null;
    waiter?.(new FoxError('CANCELED', 'the query was stopped: its query process was closed'));
    this.busy.delete(w);
    const i = this.idle.indexOf(w);
    if (i >= 0) this.idle.splice(i, 1);
    if (w.idleTimer) clearTimeout(w.idleTimer);
    if (!w.dead) {
      w.dead = true;
      w.proc.kill('SIGKILL');
    }
    this.pump();
  }

  private spawn(): Warm {
    this.spawned++;
    const proc = startQueryChild();
    const w: Warm = { proc, waiter: null, buffer: '', bytes: 0, maxBytes: Infinity, stderr: '', idleTimer: null, dead: false, ready: false, onReady: null };
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      w.bytes += chunk.length;
      if (w.bytes > w.maxBytes) {
        w.waiter?.(new FoxError('INVALID_INPUT', `the result is larger than ${w.maxBytes >> 20} MiB: lower the row limit or select fewer columns`));
        return;
      }
      w.buffer += chunk;
      let nl = w.buffer.indexOf('\n');
      if (!w.ready && nl >= 0 && w.buffer.slice(0, nl) === READY_LINE) {
        w.ready = true;
        w.buffer = w.buffer.slice(nl + 1);
        w.bytes = w.buffer.length;
        w.onReady?.();
        nl = w.buffer.indexOf('\n');
      }
      if (nl >= 0) {
        const line = w.buffer.slice(0, nl);
        w.buffer = w.buffer.slice(nl + 1);
        w.waiter?.(line);
      }
    });
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => {
      if (w.stderr.length < 4000) w.stderr += c;
    });
    proc.stdin.on('error', () => undefined); // a killed child's stdin errors: its exit reports it
    const ended = (why: string): void => {
      const wasDead = w.dead;
      w.dead = true;
      const tail = w.stderr.trim().split('\n').slice(-3).join(' | ');
      if (!wasDead) w.waiter?.(new FoxError('IO', `the query process ${why}${tail ? `: ${tail}` : ''}`));
      this.discard(w);
    };
    proc.on('error', (err) => ended(`could not start (${err.message})`));
    proc.on('exit', (code, signal) => ended(signal ? `was killed by ${signal}` : `exited with status ${code}`));
    return w;
  }
}

/** Starts one query child (child-source.ts on this runtime, at a lower CPU priority); the pool's children and exports use it. */
export function startQueryChild(): ChildProcessWithoutNullStreams {
  const proc = spawn(process.execPath, ['-e', QUERY_CHILD_SOURCE], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ELECTRON_RUN_AS_NODE: '1',
      FOXCTL_QUERY_MODULE: requireHere.resolve('better-sqlite3'),
      FOXCTL_QUERY_NATIVE_BINDING: sqliteNativeBinding() ?? '',
    },
    windowsHide: true,
  });
  lowerPriority(proc.pid);
  return proc;
}

/** Niceness of query children: a long query yields the CPU to the studio that serves the window. */
const CHILD_NICENESS = 5;

/** Lowers a child's CPU priority; where the OS refuses, it keeps the normal one (it is still bounded in number). */
function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, CHILD_NICENESS);
  } catch {
    // Best effort: a platform without priorities still has the limit on children.
  }
}

/** Whether a child (its process and its three pipes, which are sockets) keeps the event loop alive. */
function setHeld(w: Warm, held: boolean): void {
  const handles = [w.proc, w.proc.stdin as unknown as Socket, w.proc.stdout as Socket, w.proc.stderr as Socket];
  for (const h of handles) {
    if (held) h.ref();
    else h.unref();
  }
}
