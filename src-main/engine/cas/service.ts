import { FoxError, isFoxError, type OpOptions } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/manager.js';
import { artifactize, type Artifactized } from './artifact.js';
import { collectGarbage, type GcOptions, type GcResult } from './gc.js';
import type { CasStore, GetResult, PutOptions, PutResult, PutSource, ReadOptions } from './guarded-store.js';
import type { ListPage, ListQuery } from './list-query.js';
import { withNameTag } from './names.js';
import { openFileSource } from './source.js';
import type { CasObject, CasStats } from './types.js';
import { verifyStore, type VerifyOptions, type VerifyResult } from './verify.js';

/** What put reads: bytes, a stream, or `{ path }` of a file. */
export type CasInput = PutSource | { path: string };

/** What rm did or, with dryRun, would do. */
export interface RmResult {
  digest: string;
  removed: boolean;
  dry_run: boolean;
  size_bytes: number;
  pinned: boolean;
}

/** Options of the job-starting calls: a caller's signal cancels the job too. */
export interface JobOptions {
  signal?: AbortSignal | undefined;
  /** Shown in the job list (default: derived from the call). */
  title?: string | undefined;
  /** The client's own name for the job (JobInfo.client_ref). */
  clientRef?: string | undefined;
}

/**
 * The CAS as the engine exposes it to the CLI, the GUI and the API. Plain calls run in the
 * caller's promise; start* calls run the same work as jobs (progress in bytes or objects,
 * cancellable, recorded in jobs.db) for the GUI and for long CLI work.
 */
export class CasService {
  constructor(
    readonly store: CasStore,
    private readonly jobs: JobManager,
    private readonly inlineOutputKb: number,
  ) {}

  /** The backend's name (`file`, `sqlite`). */
  get backend(): string {
    return this.store.backend.name;
  }

  /** Stores bytes, a stream or a file; see PutResult. `name` is kept as a `name:` tag (names.ts). */
  async put(input: CasInput, options: PutOptions & { name?: string | undefined } = {}): Promise<PutResult> {
    const opts = withNameTag(options);
    if (isPath(input)) {
      const { reader } = await openFileSource(input.path);
      try {
        return await this.store.put(reader, opts);
      } finally {
        await reader.close();
      }
    }
    return this.store.put(input, opts);
  }

  /** put as a job with progress in bytes (total known for files and when `size` is given). */
  startPut(input: CasInput, options: PutOptions & JobOptions & { size?: number; name?: string | undefined } = {}): JobHandle<PutResult> {
    const opts = withNameTag(options);
    const title = opts.title ?? (isPath(input) ? `cas put ${input.path}` : 'cas put');
    return this.jobs.start({ kind: 'cas.put', title, unit: 'bytes', signal: opts.signal, clientRef: opts.clientRef }, async (ctx) => {
      let total: number | null = opts.size ?? null;
      const file = isPath(input) ? await openFileSource(input.path) : null;
      if (file) total = file.size;
      ctx.progress(0, total);
      try {
        return await this.store.put(file ? file.reader : (input as PutSource), { ...opts, signal: ctx.signal, onProgress: (n) => ctx.progress(n, total) });
      } finally {
        await file?.reader.close();
      }
    });
  }

  /** Metadata of an object (NOT_FOUND when absent). */
  head(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    return this.store.head(digest, opts);
  }

  /** A verified stream of an object (fails with CORRUPT at the end on a mismatch). */
  get(digest: string, opts: ReadOptions = {}): Promise<GetResult> {
    return this.store.get(digest, opts);
  }

  /** Writes a verified object to a file (temp + rename; nothing under `dest` on CORRUPT). */
  getToFile(digest: string, dest: string, opts: ReadOptions = {}): Promise<{ digest: string; size_bytes: number; path: string }> {
    return this.store.getToFile(digest, dest, opts);
  }

  /** Streams an object into `sink`, verified (see CasStore.getTo: the sink copies what it keeps). */
  getTo(digest: string, sink: (chunk: Buffer) => Promise<void>, opts: ReadOptions = {}): Promise<{ digest: string; size_bytes: number }> {
    return this.store.getTo(digest, sink, opts);
  }

  /** getTo for stdout and the like: a corrupt object never reaches `sink` whole (see CasStore.getToVerified). */
  getToVerified(digest: string, sink: (chunk: Buffer) => Promise<void>, opts: ReadOptions & { bufferBytes?: number } = {}): Promise<{ digest: string; size_bytes: number }> {
    return this.store.getToVerified(digest, sink, opts);
  }

  /** A page of objects. */
  list(query: ListQuery = {}, opts: OpOptions = {}): Promise<ListPage> {
    return this.store.list(query, opts);
  }

  /** Pins an object. */
  pin(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    return this.store.pin(digest, opts);
  }

  /** Unpins an object. */
  unpin(digest: string, opts: OpOptions = {}): Promise<CasObject> {
    return this.store.unpin(digest, opts);
  }

  /** Removes an object: PINNED unless `force`, NOT_FOUND when absent; `dryRun` only says what would happen. */
  async rm(digest: string, opts: OpOptions & { force?: boolean; dryRun?: boolean } = {}): Promise<RmResult> {
    if (opts.dryRun) {
      const o = await this.store.head(digest, opts);
      if (o.pinned && !opts.force) {
        throw new FoxError('PINNED', `${digest} is pinned: unpin it first (foxctl cas unpin), or remove it with --force`, { subject: this.store.subject });
      }
      return { digest, removed: false, dry_run: true, size_bytes: o.size_bytes, pinned: o.pinned };
    }
    // An object whose bytes are gone may have no head (file backend); its leftovers are still removable.
    const pinned = opts.force ? await this.store.head(digest, opts).then((o) => o.pinned, (e: unknown) => (isFoxError(e, 'NOT_FOUND') ? false : Promise.reject(e))) : false;
    const r = await this.store.remove(digest, opts);
    return { digest, removed: r.outcome === 'removed', dry_run: false, size_bytes: r.size_bytes, pinned };
  }

  /** Objects, bytes, pinned. */
  stats(opts: OpOptions = {}): Promise<CasStats & { backend: string; location: string }> {
    return this.store.stats(opts);
  }

  /** Collects garbage in the caller's promise. */
  gc(opts: GcOptions = {}): Promise<GcResult> {
    return collectGarbage(this.store, opts);
  }

  /** gc as a job with progress in objects. */
  startGc(opts: GcOptions & JobOptions = {}): JobHandle<GcResult> {
    return this.jobs.start({ kind: 'cas.gc', title: opts.title ?? (opts.dryRun ? 'cas gc (dry run)' : 'cas gc'), unit: 'objects', signal: opts.signal }, (ctx) =>
      collectGarbage(this.store, { ...opts, signal: ctx.signal, onProgress: (d, t, m) => ctx.progress(d, t, m) }),
    );
  }

  /** Re-hashes every object in the caller's promise. */
  verify(opts: VerifyOptions = {}): Promise<VerifyResult> {
    return verifyStore(this.store, opts);
  }

  /** verify as a job with progress in objects; its result lists the corrupt digests. */
  startVerify(opts: VerifyOptions & JobOptions = {}): JobHandle<VerifyResult> {
    return this.jobs.start({ kind: 'cas.verify', title: opts.title ?? 'cas verify', unit: 'objects', signal: opts.signal }, (ctx) =>
      verifyStore(this.store, { signal: ctx.signal, onProgress: (d, t, m) => ctx.progress(d, t, m) }),
    );
  }

  /** A JSON output as it is, or stored whole in the CAS and replaced by Go's artifact envelope when larger than inline_output_kb (FORMATS.md). */
  artifactize(output: string | Buffer, opts: OpOptions & { command?: string | undefined; inlineKb?: number | undefined } = {}): Promise<Artifactized> {
    return artifactize(this.store, output, { ...opts, inlineKb: opts.inlineKb ?? this.inlineOutputKb });
  }

  /** inline_output_kb of the config (FOXCTL_INLINE_OUTPUT_KB). */
  get inlineKb(): number {
    return this.inlineOutputKb;
  }

  /** Closes the backend. */
  close(): Promise<void> {
    return this.store.close();
  }
}

function isPath(input: CasInput): input is { path: string } {
  return typeof input === 'object' && input !== null && !(input instanceof Uint8Array) && typeof (input as { path?: unknown }).path === 'string' && !(Symbol.asyncIterator in input);
}
