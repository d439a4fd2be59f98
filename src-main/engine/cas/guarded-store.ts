import fs from 'node:fs/promises';
import path from 'node:path';
import { addAbortSignal, pipeline, type Readable } from 'node:stream';
import { ulid } from 'ulid';
import { canceled, FoxError, isFoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import { nowRfc3339 } from '../util/time.js';
import { digestOf, parseDigest } from './digest.js';
import { fsyncDir, isErrno } from './fs-util.js';
import { holdBack, VERIFY_BEFORE_OUTPUT_BYTES } from './hold-back.js';
import { applyListQuery, checkListQuery, MAX_LIST_LIMIT, type ListPage, type ListQuery } from './list-query.js';
import { normalizeKind, normalizeTags } from './meta.js';
import { pump } from './pump.js';
import { openFileSource, PooledFileReader } from './source.js';
import type { CasBackend, CasObject, CasScan, CasStats, RemoveGuard, RemoveOutcome } from './types.js';
import { corruptError, verifyingStream } from './verify-stream.js';

/** Bytes a put reads from: a stream, any async iterable of chunks, or bytes in memory. */
export type PutSource = AsyncIterable<Uint8Array | string> | Uint8Array;

/** Options of put. */
export interface PutOptions extends OpOptions {
  kind?: string | undefined;
  tags?: readonly string[] | undefined;
  pin?: boolean | undefined;
  /** Bytes read so far. */
  onProgress?: ((bytes: number) => void) | undefined;
}

/** What put returns. `created` is the first put's created_at (kept on a re-put); `existed`: the content was already stored. */
export interface PutResult {
  digest: string;
  size_bytes: number;
  kind: string;
  tags: string[];
  created: string;
  existed: boolean;
  pinned: boolean;
}

/** A verified read: the object's size and a stream that fails with CORRUPT at the end on a mismatch. */
export interface GetResult {
  digest: string;
  size_bytes: number;
  stream: Readable;
}

/** Options of reads. */
export interface ReadOptions extends OpOptions {
  onProgress?: ((bytes: number) => void) | undefined;
}

/** How a store is set up: its clock (tests move it to check the gc grace window). */
export interface CasStoreOptions {
  clock?: () => Date;
}

/**
 * The rules every backend shares, in one place: digests are validated before any backend call,
 * the abort signal is checked, native errors become FoxErrors naming the backend, uploads are
 * hashed while they are written, every read is re-hashed, and mutations of one digest in this
 * process are serialised (backends make them safe across processes).
 */
export class CasStore {
  readonly subject: string;
  private opened: Promise<void> | null = null;
  private closed = false;
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly clock: () => Date;

  constructor(
    readonly backend: CasBackend,
    opts: CasStoreOptions = {},
  ) {
    this.subject = `the ${backend.name} CAS (${backend.location})`;
    this.clock = opts.clock ?? (() => new Date());
  }

  /** The store's current time. */
  now(): Date {
    return this.clock();
  }

  /** Runs `fn` after the backend is open, with the close, abort and error rules. */
  private async run<T>(what: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new FoxError('UNAVAILABLE', `${this.subject} is closed`, { subject: this.subject });
    throwIfAborted(signal, what);
    try {
      if (!this.opened) {
        const opening = this.backend.open();
        // A failed open (disk full, bad file) is retried by the next call, not remembered.
        opening.catch(() => {
          if (this.opened === opening) this.opened = null;
        });
        this.opened = opening;
      }
      await this.opened;
      return await fn();
    } catch (err) {
      if (signal?.aborted) throw canceled(signal, what);
      throw toFoxError(err, `${what} in ${this.subject}`);
    }
  }

  /** Serialises mutations of one object within this process. */
  private async locked<T>(hex: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(hex) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(hex, tail);
    try {
      return await next;
    } finally {
      if (this.locks.get(hex) === tail) this.locks.delete(hex);
    }
  }

  /** Opens the backend now (it opens on first use otherwise); cleans temp data of crashed uploads. */
  async open(opts: OpOptions = {}): Promise<void> {
    await this.run('open', opts.signal, async () => undefined);
  }

  /** Stores bytes, hashing them as they are written; existing content gets its tags merged and last_put_at refreshed. */
  async put(source: PutSource, opts: PutOptions = {}): Promise<PutResult> {
    const kind = normalizeKind(opts.kind);
    const tags = normalizeTags(opts.tags);
    const input = source instanceof Uint8Array ? [source] : source;
    if (opts.signal && isReadable(source)) addAbortSignal(opts.signal, source);
    return this.run('put', opts.signal, async () => {
      const writer = await this.backend.createWriter();
      let hex: string;
      let size: number;
      try {
        ({ hex, size } = await pump(input, (chunk, offset) => writer.write(chunk, offset), { signal: opts.signal, onProgress: opts.onProgress }));
      } catch (err) {
        await writer.abort();
        throw err;
      }
      // Past this point the upload is committed as a whole: a cancel now would leave the caller unsure.
      const { object, existed } = await this.locked(hex, () => writer.commit(hex, { size, kind, tags, pin: opts.pin === true, now: nowRfc3339(this.clock()) }));
      return { digest: object.digest, size_bytes: object.size_bytes, kind: object.kind, tags: object.tags, created: object.created_at, existed, pinned: object.pinned };
    });
  }

  /** The metadata of an object; NOT_FOUND when absent. */
  async head(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    const hex = parseDigest(digest);
    return this.run('head', opts.signal, async () => (await this.backend.head(hex)) ?? this.notFound(digest));
  }

  /** Whether an object exists. */
  async has(digest: string, opts: OpOptions = {}): Promise<boolean> {
    const hex = parseDigest(digest);
    return this.run('has', opts.signal, async () => (await this.backend.head(hex)) !== null);
  }

  private notFound(digest: string): never {
    throw new FoxError('NOT_FOUND', `no object ${digest} in ${this.subject}`, { subject: this.subject });
  }

  /**
   * Reads an object as a stream that is re-hashed as it flows: on a mismatch the stream fails
   * with CORRUPT after the last byte. Use getToFile when no unverified byte may be kept.
   */
  async get(digest: string, opts: ReadOptions = {}): Promise<GetResult> {
    const hex = parseDigest(digest);
    return this.run('get', opts.signal, async () => {
      const raw = (await this.backend.read(hex)) ?? this.notFound(digest);
      const check = verifyingStream(digest, this.subject);
      let done = 0;
      if (opts.onProgress) raw.stream.on('data', (c: Buffer) => opts.onProgress?.((done += c.length)));
      pipeline(raw.stream, check, () => undefined);
      if (opts.signal) addAbortSignal(opts.signal, check);
      return { digest, size_bytes: raw.size, stream: check };
    });
  }

  /**
   * Writes an object to `dest`: into a temp file beside it, re-hashed on the way, fsynced, and
   * renamed over `dest` only when it verifies. On CORRUPT or cancel `dest` is left as it was.
   */
  async getToFile(digest: string, dest: string, opts: ReadOptions = {}): Promise<{ digest: string; size_bytes: number; path: string }> {
    const hex = parseDigest(digest);
    if (typeof dest !== 'string' || dest.trim() === '' || dest.includes('\0')) throw new FoxError('INVALID_INPUT', `invalid output file ${JSON.stringify(dest)}`);
    const target = path.resolve(dest);
    return this.run('get', opts.signal, async () => {
      const raw = (await this.openPooled(hex)) ?? (await this.backend.read(hex))?.stream ?? this.notFound(digest);
      const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${ulid()}.foxctl-tmp`);
      let fh: fs.FileHandle;
      try {
        fh = await fs.open(tmp, 'wx', 0o644);
      } catch (err) {
        await closeSource(raw);
        if (isErrno(err, 'ENOENT')) throw new FoxError('NOT_FOUND', `cannot write ${target}: directory ${path.dirname(target)} does not exist`, { cause: err });
        throw toFoxError(err, `cannot write ${target}`);
      }
      try {
        if (opts.signal && isReadable(raw)) addAbortSignal(opts.signal, raw);
        const { hex: actual, size } = await pump(raw, (chunk, offset) => fh.write(chunk, 0, chunk.length, offset).then(() => undefined), opts);
        if (actual !== hex) throw corruptError(digest, actual, size, this.subject);
        await fh.datasync();
        await fh.close();
        await fs.rename(tmp, target);
        await fsyncDir(path.dirname(target));
        return { digest, size_bytes: size, path: target };
      } catch (err) {
        await closeSource(raw);
        await fh.close().catch(() => undefined);
        await fs.rm(tmp, { force: true });
        throw err;
      }
    });
  }

  /**
   * Streams an object into `sink`, re-hashed on the way: the fast path of a verified read for a
   * consumer that is done with each chunk when its promise resolves (stdout, a socket, a file).
   * Chunks come from reused buffers where the backend has a local file, so `sink` must copy a
   * chunk it keeps. As with `get`, the bytes reach the sink before the last one is checked: the
   * promise rejects with CORRUPT after the last byte when they do not hash to `digest`.
   */
  async getTo(digest: string, sink: (chunk: Buffer) => Promise<void>, opts: ReadOptions = {}): Promise<{ digest: string; size_bytes: number }> {
    const hex = parseDigest(digest);
    return this.run('get', opts.signal, async () => {
      const src = (await this.openPooled(hex)) ?? (await this.backend.read(hex))?.stream ?? this.notFound(digest);
      try {
        // The sink is called in order; up to four of its writes may be in flight at once.
        const { hex: actual, size } = await pump(src, (chunk) => sink(chunk), { signal: opts.signal, onProgress: opts.onProgress });
        if (actual !== hex) throw corruptError(digest, actual, size, this.subject);
        return { digest, size_bytes: size };
      } finally {
        await closeSource(src);
      }
    });
  }

  /**
   * getTo for an output that must never receive a corrupt object whole (stdout): an object up to
   * `bufferBytes` (64 MiB) is read and verified before its first byte reaches `sink`; a larger
   * one streams one chunk behind, and its last chunk goes only once the digest matched. On
   * CORRUPT the sink has received nothing, or (above the buffer) never the complete object.
   */
  async getToVerified(digest: string, sink: (chunk: Buffer) => Promise<void>, opts: ReadOptions & { bufferBytes?: number } = {}): Promise<{ digest: string; size_bytes: number }> {
    const held = holdBack(sink, opts.bufferBytes ?? VERIFY_BEFORE_OUTPUT_BYTES);
    const r = await this.getTo(digest, (chunk) => held.write(chunk), opts);
    await held.release();
    return r;
  }

  /** Re-hashes one object without keeping its bytes; CORRUPT on a mismatch, NOT_FOUND when absent. */
  async check(digest: string, opts: OpOptions = {}): Promise<{ digest: string; size_bytes: number }> {
    const hex = parseDigest(digest);
    return this.run('verify', opts.signal, async () => {
      const src = (await this.openPooled(hex)) ?? (await this.backend.read(hex))?.stream ?? this.notFound(digest);
      try {
        const { hex: actual, size } = await pump(src, async () => undefined, { signal: opts.signal });
        if (actual !== hex) throw corruptError(digest, actual, size, this.subject);
        return { digest, size_bytes: size };
      } finally {
        await closeSource(src);
      }
    });
  }

  /** The object's local file through reusable buffers, when the backend has one. */
  private async openPooled(hex: string): Promise<PooledFileReader | null> {
    const file = await this.backend.localPath?.(hex);
    if (!file) return null;
    try {
      return (await openFileSource(file)).reader;
    } catch (err) {
      // Removed between the two calls: absent, like any missing object.
      if (isFoxError(err, 'NOT_FOUND')) return null;
      throw err;
    }
  }

  /** One page of objects matching `query`. */
  async list(query: ListQuery = {}, opts: OpOptions = {}): Promise<ListPage> {
    checkListQuery(query);
    return this.run('list', opts.signal, async () => applyListQuery(await this.backend.all(), query));
  }

  /** Every object matching `query` (no paging), from one read of the metadata: gc's view. */
  async listAll(query: Omit<ListQuery, 'limit' | 'cursor'> = {}, opts: OpOptions = {}): Promise<CasObject[]> {
    checkListQuery(query);
    return this.run('list', opts.signal, async () => {
      const all = await this.backend.all();
      const out: CasObject[] = [];
      let cursor: string | undefined;
      do {
        const page = applyListQuery(all, { ...query, limit: MAX_LIST_LIMIT, cursor });
        out.push(...page.items);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return out;
    });
  }

  /** One listing of the whole store: what has bytes and the losses the listing shows (verify's walk). */
  async scan(opts: OpOptions = {}): Promise<CasScan> {
    return this.run('verify', opts.signal, () => this.backend.scan());
  }

  /** Up to `limit` digests after `after`, in digest order, without reading metadata. */
  async names(after: string | null, limit: number, opts: OpOptions = {}): Promise<string[]> {
    const from = after === null ? null : parseDigest(after, 'cursor digest');
    return this.run('list', opts.signal, async () => (await this.backend.names(from, limit)).map(digestOf));
  }

  /** Pins an object so that neither gc nor rm removes it; returns its metadata. */
  async pin(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    return this.setPin(digest, true, opts);
  }

  /** Unpins an object; returns its metadata. */
  async unpin(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    return this.setPin(digest, false, opts);
  }

  private async setPin(digest: string, pinned: boolean, opts: OpOptions): Promise<CasObject> {
    const hex = parseDigest(digest);
    return this.run(pinned ? 'pin' : 'unpin', opts.signal, () =>
      this.locked(hex, async () => {
        if (!(await this.backend.setPin(hex, pinned ? nowRfc3339(this.clock()) : null))) this.notFound(digest);
        return (await this.backend.head(hex)) ?? this.notFound(digest);
      }),
    );
  }

  /**
   * Removes an object. A pinned one is refused with PINNED unless `force`; a missing one is
   * NOT_FOUND. With a guard (gc), the backend checks it atomically with the delete.
   */
  async remove(digest: string, opts: OpOptions & { force?: boolean; guard?: Partial<RemoveGuard> } = {}): Promise<RemoveOutcome> {
    const hex = parseDigest(digest);
    const guard: RemoveGuard = { unpinnedOnly: opts.force !== true, ...opts.guard };
    return this.run('rm', opts.signal, async () => {
      const res = await this.locked(hex, () => this.backend.remove(hex, guard));
      if (opts.guard === undefined) {
        if (res.outcome === 'missing') this.notFound(digest);
        if (res.outcome === 'pinned') {
          throw new FoxError('PINNED', `${digest} is pinned: unpin it first (foxctl cas unpin), or remove it with --force`, { subject: this.subject });
        }
      }
      return res;
    });
  }

  /** Objects, bytes and pinned totals. */
  async stats(opts: OpOptions = {}): Promise<CasStats & { backend: string; location: string }> {
    return this.run('stats', opts.signal, async () => ({ backend: this.backend.name, location: this.backend.location, ...(await this.backend.stats()) }));
  }

  /** Closes the backend; later calls fail with UNAVAILABLE. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.opened?.catch(() => undefined);
    await this.backend.close();
  }
}

async function closeSource(src: Readable | PooledFileReader): Promise<void> {
  if (src instanceof PooledFileReader) await src.close();
  else src.destroy();
}

function isReadable(v: unknown): v is Readable {
  return typeof (v as Readable | null)?.pipe === 'function' && typeof (v as Readable).destroy === 'function';
}
