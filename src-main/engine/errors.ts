/** Every error code an engine call can reject with; listed once, used by the contract and the CLI. */
export const ERROR_CODES = [
  'NOT_FOUND',
  'INVALID_INPUT',
  'CORRUPT',
  'CONFLICT',
  'PINNED',
  'UNAVAILABLE',
  'UNSUPPORTED',
  'CANCELED',
  'IO',
] as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Options of a FoxError: what it concerns and what caused it. */
export interface FoxErrorOptions {
  /** The store, backend, file or object the error concerns (e.g. "store MEMORY", "cas file"). */
  subject?: string;
  cause?: unknown;
}

/** The one error class of the engine: a string code, a human message, and the native cause. */
export class FoxError extends Error {
  readonly code: ErrorCode;
  readonly subject: string | undefined;

  constructor(code: ErrorCode, message: string, opts: FoxErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'FoxError';
    this.code = code;
    this.subject = opts.subject;
  }

  /** A plain object safe to serialise across a process boundary (no stack, no cause). */
  toJSON(): { code: ErrorCode; message: string; subject?: string } {
    return this.subject === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, subject: this.subject };
  }
}

/** True when `err` is a FoxError (optionally with the given code). */
export function isFoxError(err: unknown, code?: ErrorCode): err is FoxError {
  return err instanceof FoxError && (code === undefined || err.code === code);
}

/** Options every public engine operation takes last. */
export interface OpOptions {
  signal?: AbortSignal | undefined;
}

/** Rejects with CANCELED when the signal has fired; call at every safe boundary. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) throw canceled(signal, what);
}

/** The CANCELED error for an aborted signal, keeping the signal's reason as the cause. */
export function canceled(signal: AbortSignal | undefined, what = 'operation'): FoxError {
  const reason: unknown = signal?.reason;
  if (isFoxError(reason, 'CANCELED')) return reason;
  return new FoxError('CANCELED', `${what} was canceled`, { cause: reason });
}

const ERRNO_CODES: Record<string, ErrorCode> = {
  ENOENT: 'NOT_FOUND',
  ENOTDIR: 'INVALID_INPUT',
  EISDIR: 'INVALID_INPUT',
  EEXIST: 'CONFLICT',
  EACCES: 'IO',
  EPERM: 'IO',
  ENOSPC: 'IO',
  EDQUOT: 'IO',
  EROFS: 'IO',
  EMFILE: 'UNAVAILABLE',
  EBUSY: 'UNAVAILABLE',
  ECONNREFUSED: 'UNAVAILABLE',
  ECONNRESET: 'UNAVAILABLE',
  ETIMEDOUT: 'UNAVAILABLE',
  ENOTFOUND: 'UNAVAILABLE',
  EHOSTUNREACH: 'UNAVAILABLE',
};

const SQLITE_CODES: Record<string, ErrorCode> = {
  SQLITE_BUSY: 'UNAVAILABLE',
  SQLITE_LOCKED: 'UNAVAILABLE',
  SQLITE_NOTADB: 'CORRUPT',
  SQLITE_CORRUPT: 'CORRUPT',
  SQLITE_CANTOPEN: 'IO',
  SQLITE_FULL: 'IO',
  SQLITE_IOERR: 'IO',
  SQLITE_READONLY: 'INVALID_INPUT',
  SQLITE_CONSTRAINT: 'CONFLICT',
  SQLITE_ERROR: 'INVALID_INPUT',
  SQLITE_INTERRUPT: 'CANCELED',
  SQLITE_AUTH: 'UNAVAILABLE',
};

/**
 * Translates a native error (errno, SQLite, ...) into a FoxError naming `subject`.
 * A FoxError passes through unchanged; nothing is swallowed: the native error is the cause.
 */
export function toFoxError(err: unknown, subject?: string, fallback: ErrorCode = 'IO'): FoxError {
  if (err instanceof FoxError) return err;
  const native = err as { code?: unknown; message?: unknown; name?: unknown } | null;
  const rawCode = typeof native?.code === 'string' ? native.code : '';
  const message = typeof native?.message === 'string' ? native.message : String(err);
  let code: ErrorCode | undefined = ERRNO_CODES[rawCode];
  if (code === undefined && rawCode.startsWith('SQLITE_')) {
    code = SQLITE_CODES[rawCode] ?? SQLITE_CODES[rawCode.replace(/^(SQLITE_[A-Z]+)_.*/, '$1')];
  }
  if (code === undefined && native?.name === 'AbortError') code = 'CANCELED';
  const what = subject ? `${subject}: ` : '';
  if (SQLITE_DISK_FULL.has(rawCode)) return new FoxError('IO', `${what}the disk is full: free some space and try again (${rawCode})`, { subject, cause: err });
  const hint = rawCode === 'ENOSPC' ? ' (the disk is full)' : '';
  return new FoxError(code ?? fallback, `${what}${message}${hint}`, { subject, cause: err });
}

/**
 * SQLite's answers to a full disk: SQLITE_FULL when a write of the database, its WAL or a temp
 * file gets ENOSPC, and SQLITE_IOERR_SHMSIZE ("disk I/O error") when opening or writing a WAL
 * database cannot allocate its -shm file (SQLite writes every new -shm page to make sure the
 * space exists). The transaction rolls back: nothing committed before is lost.
 */
const SQLITE_DISK_FULL = new Set(['SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']);
