import { PassThrough, type Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCopyCommand,
  type S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { FoxError, isFoxError } from '../errors.js';
import { digestOf } from './digest.js';
import { DEFAULT_TMP_SAFE_AGE_MS } from './file-backend.js';
import { createKeyLock } from './key-lock.js';
import { mapLimit } from './map-limit.js';
import { gcTimeMs, mergeTags, tagsFromStored } from './meta.js';
import { createS3Client } from './s3-client.js';
import { s3Location, type S3Settings } from './s3-config.js';
import { isS3NotFound, s3Error } from './s3-error.js';
import { scanS3, type S3ScanHost } from './s3-scan.js';
import { S3Writer, type S3WriterHost, type S3WriterSizes } from './s3-writer.js';
import { DEFAULT_KIND, type CasBackend, type CasBackendOptions, type CasObject, type CasScan, type CasStats, type CasWriter, type CommitMeta, type CommitResult, type RawRead, type RemoveGuard, type RemoveOutcome } from './types.js';

/** Options of the s3 backend: resolved settings (s3-config.ts) and, for tests, writer sizes. */
export interface S3BackendOptions extends CasBackendOptions, Partial<S3WriterSizes> {
  settings: S3Settings;
}

/** The JSON of `<prefix>meta/sha256:<hex>.json` (FORMATS.md), plus the pin time when we know it. */
interface MetaDoc {
  digest: string;
  size: number;
  kind: string;
  tags: string[] | null;
  pinned: boolean;
  created_at: string;
  pinned_at?: string | null;
  /** Ours: the last re-put (Go's s3Meta decoder ignores it; its created_at stays the first put's). */
  last_put_at?: string;
}

/** CopyObject's limit; larger objects are copied part by part. */
const MAX_COPY = 5 * 1024 ** 3;
const COPY_PART = 1024 ** 3;

// Mutations of one object in this process, across backend instances (S3 has no transactions:
// this makes gc and a concurrent put in one process safe; across devices see the report).
const withKeyLock = createKeyLock();

function parseMeta(hex: string, text: string): MetaDoc | { error: string } {
  try {
    const m = JSON.parse(text) as Partial<MetaDoc>;
    if (typeof m !== 'object' || m === null || typeof m.size !== 'number' || typeof m.created_at !== 'string') return { error: 'metadata object is not valid JSON metadata' };
    return { digest: digestOf(hex), size: m.size, kind: typeof m.kind === 'string' ? m.kind : DEFAULT_KIND, tags: tagsFromStored(m.tags), pinned: m.pinned === true, created_at: m.created_at, pinned_at: m.pinned_at ?? null, ...(typeof m.last_put_at === 'string' && m.last_put_at ? { last_put_at: m.last_put_at } : {}) };
  } catch {
    return { error: 'metadata object is not valid JSON' };
  }
}

function toObject(m: MetaDoc): CasObject {
  return { digest: m.digest, size_bytes: m.size, kind: m.kind || DEFAULT_KIND, tags: tagsFromStored(m.tags), created_at: m.created_at, ...(m.last_put_at ? { last_put_at: m.last_put_at } : {}), pinned: m.pinned === true, pinned_at: m.pinned ? (m.pinned_at ?? null) : null };
}

/**
 * The s3 backend: bytes at `<prefix>blob/sha256:<hex>`, metadata and pin in
 * `<prefix>meta/sha256:<hex>.json` so every device sharing the bucket agrees. An object exists
 * while its blob does: puts write the blob before the meta, removals delete the meta first, so
 * a crash leaves at worst bytes without metadata (listed with meta_error, removable by gc).
 */
class S3Backend implements CasBackend, S3WriterHost, S3ScanHost {
  readonly name = 's3';
  readonly location: string;
  readonly bucket: string;
  private readonly prefix: string;
  private readonly subject: string;
  private c: S3Client | null = null;

  constructor(
    private readonly settings: S3Settings,
    private readonly sizes: S3WriterSizes,
    private readonly tmpSafeAgeMs: number,
  ) {
    this.location = s3Location(settings);
    this.bucket = settings.bucket;
    this.prefix = settings.prefix;
    this.subject = `the s3 CAS (${this.location})`;
  }

  get client(): S3Client {
    if (!this.c) throw new FoxError('UNAVAILABLE', `${this.subject} is not open`);
    return this.c;
  }

  blobKey(hex: string): string {
    return `${this.prefix}blob/sha256:${hex}`;
  }

  metaKey(hex: string): string {
    return `${this.prefix}meta/sha256:${hex}.json`;
  }

  tmpKey(id: string): string {
    return `${this.prefix}tmp/${id}`;
  }

  fail(err: unknown, what: string): Error {
    return s3Error(err, this.subject, this.settings, what);
  }

  private async call<T>(what: string, fn: (c: S3Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (err) {
      throw this.fail(err, what);
    }
  }

  async open(): Promise<void> {
    this.c ??= createS3Client(this.settings);
    // One cheap request: wrong credentials, a missing bucket or a dead endpoint fail here, clearly.
    await this.call('open', (c) => c.send(new HeadBucketCommand({ Bucket: this.bucket })));
    const cutoff = Date.now() - this.tmpSafeAgeMs;
    for await (const o of this.listKeys(`${this.prefix}tmp/`)) {
      if (o.Key && o.LastModified && o.LastModified.getTime() <= cutoff) await this.deleteKey(o.Key);
    }
    await this.abortStaleUploads(cutoff);
  }

  /** Aborts multipart uploads of crashed writers (their parts are billed); best effort, as some servers lack the call. */
  private async abortStaleUploads(cutoff: number): Promise<void> {
    try {
      const r = await this.client.send(new ListMultipartUploadsCommand({ Bucket: this.bucket, Prefix: `${this.prefix}tmp/` }));
      for (const u of r.Uploads ?? []) {
        if (u.Key && u.UploadId && u.Initiated && u.Initiated.getTime() <= cutoff) await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }));
      }
    } catch {
      // Not supported (s3rver) or not allowed: a bucket lifecycle rule (AbortIncompleteMultipartUpload) covers it.
    }
  }

  async *listKeys(prefix: string, startAfter?: string): AsyncGenerator<_Object> {
    let token: string | undefined;
    do {
      const page = await this.call('list', (c) => c.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token, StartAfter: token ? undefined : startAfter })));
      yield* page.Contents ?? [];
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  }

  async putBytes(key: string, body: Buffer, contentType = 'application/octet-stream'): Promise<void> {
    await this.call('put', (c) => c.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentLength: body.length, ContentType: contentType })));
  }

  async deleteKey(key: string): Promise<void> {
    await this.call('delete', (c) => c.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  private async writeMeta(m: MetaDoc): Promise<void> {
    await this.putBytes(this.metaKey(m.digest.slice('sha256:'.length)), Buffer.from(JSON.stringify(m)), 'application/json');
  }

  /**
   * The meta document, null when absent, or `{error}` when it does not parse. A read cut short
   * or torn (some S3-compatible servers, s3rver among them, stream a file another request is
   * replacing) is retried twice: meta objects are small and the GET is idempotent.
   */
  async readMeta(hex: string): Promise<MetaDoc | { error: string } | null> {
    for (let attempt = 1; ; attempt++) {
      let text: string;
      try {
        const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.metaKey(hex) }));
        text = (await r.Body?.transformToString('utf8')) ?? '';
      } catch (err) {
        if (isS3NotFound(err)) return null;
        const f = this.fail(err, 'head');
        if (attempt < 3 && isFoxError(f, 'UNAVAILABLE') && !/credentials|does not exist/.test(f.message)) {
          await new Promise((r) => setTimeout(r, 50 * attempt));
          continue;
        }
        throw f;
      }
      const doc = parseMeta(hex, text);
      if (!('error' in doc) || attempt >= 3) return doc;
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }

  /** The blob's size and time, or null when absent. */
  private async headBlob(hex: string): Promise<{ size: number; modified: Date } | null> {
    try {
      const r = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.blobKey(hex) }));
      return { size: r.ContentLength ?? 0, modified: r.LastModified ?? new Date(0) };
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw this.fail(err, 'head');
    }
  }

  private fromBlob(hex: string, blob: { size: number; modified: Date }, error: string): CasObject {
    return { digest: digestOf(hex), size_bytes: blob.size, kind: DEFAULT_KIND, tags: [], created_at: blob.modified.toISOString(), pinned: false, pinned_at: null, meta_error: error };
  }

  /** The object's metadata document (rebuilt from the blob when the meta is missing), or null when absent. */
  private async current(hex: string): Promise<{ doc: MetaDoc; object: CasObject } | null> {
    const m = await this.readMeta(hex);
    if (m && !('error' in m)) return { doc: m, object: toObject(m) };
    const blob = await this.headBlob(hex);
    if (!blob) return null;
    const object = this.fromBlob(hex, blob, m ? m.error : 'metadata object is missing');
    return { doc: { digest: object.digest, size: blob.size, kind: DEFAULT_KIND, tags: [], pinned: false, created_at: object.created_at }, object };
  }

  async createWriter(): Promise<CasWriter> {
    return new S3Writer(this, this.sizes);
  }

  private lockKey(hex: string): string {
    return `${this.settings.endpoint ?? 'aws'}|${this.bucket}|${this.blobKey(hex)}`;
  }

  /**
   * Refreshes an existing object's meta, or null when the object is new. Bytes lost or cut short
   * under a meta that remains (verify's missing_bytes) are stored again from this upload first.
   */
  private async refresh(hex: string, m: CommitMeta, storeBytes: () => Promise<void>): Promise<CommitResult | null> {
    const cur = await this.current(hex);
    if (!cur) return null;
    let existed = true;
    if (!cur.object.meta_error) {
      const blob = await this.headBlob(hex);
      if (!blob || blob.size !== m.size) {
        await storeBytes();
        existed = false;
      }
    }
    const doc: MetaDoc = { ...cur.doc, tags: mergeTags(tagsFromStored(cur.doc.tags), m.tags), pinned: cur.doc.pinned || m.pin, pinned_at: cur.doc.pinned ? (cur.doc.pinned_at ?? null) : m.pin ? m.now : null, last_put_at: m.now };
    await this.writeMeta(doc);
    return { existed, object: toObject(doc) };
  }

  private async fileNew(hex: string, m: CommitMeta): Promise<CommitResult> {
    const doc: MetaDoc = { digest: digestOf(hex), size: m.size, kind: m.kind, tags: m.tags, pinned: m.pin, created_at: m.now, pinned_at: m.pin ? m.now : null };
    await this.writeMeta(doc);
    return { existed: false, object: toObject(doc) };
  }

  async commitSmall(hex: string, bytes: Buffer, m: CommitMeta): Promise<CommitResult> {
    return withKeyLock(this.lockKey(hex), async () => {
      const storeBytes = (): Promise<void> => this.putBytes(this.blobKey(hex), bytes);
      const old = await this.refresh(hex, m, storeBytes);
      if (old) return old;
      await storeBytes();
      return this.fileNew(hex, m);
    });
  }

  async commitLarge(hex: string, tmpKey: string, m: CommitMeta): Promise<CommitResult> {
    const res = await withKeyLock(this.lockKey(hex), async () => {
      const storeBytes = (): Promise<void> => this.copy(tmpKey, this.blobKey(hex), m.size);
      const old = await this.refresh(hex, m, storeBytes);
      if (old) return old;
      await storeBytes();
      return this.fileNew(hex, m);
    });
    await this.deleteKey(tmpKey).catch(() => undefined);
    return res;
  }

  private async copy(from: string, to: string, size: number): Promise<void> {
    const source = `${this.bucket}/${encodeURI(from)}`;
    if (size <= MAX_COPY) {
      await this.call('put', (c) => c.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: source })));
      return;
    }
    await this.call('put', async (c) => {
      const { UploadId } = await c.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key: to }));
      const parts = [];
      for (let start = 0, n = 1; start < size; start += COPY_PART, n++) {
        const end = Math.min(size, start + COPY_PART) - 1;
        const r = await c.send(new UploadPartCopyCommand({ Bucket: this.bucket, Key: to, UploadId, PartNumber: n, CopySource: source, CopySourceRange: `bytes=${start}-${end}` }));
        parts.push({ PartNumber: n, ETag: r.CopyPartResult?.ETag });
      }
      await c.send(new CompleteMultipartUploadCommand({ Bucket: this.bucket, Key: to, UploadId, MultipartUpload: { Parts: parts } }));
    });
  }

  async head(hex: string): Promise<CasObject | null> {
    return (await this.current(hex))?.object ?? null;
  }

  async read(hex: string): Promise<RawRead | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.blobKey(hex) }));
      const body = r.Body as Readable;
      // A server lost mid-read fails the stream with a FoxError naming the backend, not a bare
      // "aborted". The 4 MiB buffer also lets the socket read ahead while the guard hashes: it
      // brought the verified get level with a bare GetObject in the benchmark.
      const out = new PassThrough({ highWaterMark: 4 << 20 });
      body.on('error', (err) => out.destroy(this.fail(err, 'get')));
      out.on('close', () => body.destroy());
      body.pipe(out);
      return { stream: out, size: r.ContentLength ?? 0 };
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw this.fail(err, 'get');
    }
  }

  async all(): Promise<CasObject[]> {
    const blobs: _Object[] = [];
    const metas = new Set<string>();
    await Promise.all([
      (async () => {
        for await (const o of this.listKeys(`${this.prefix}blob/sha256:`)) blobs.push(o);
      })(),
      (async () => {
        for await (const o of this.listKeys(`${this.prefix}meta/sha256:`)) if (o.Key) metas.add(o.Key);
      })(),
    ]);
    const found = await mapLimit(blobs, 16, async (o): Promise<CasObject | null> => {
      const hex = (o.Key ?? '').slice(`${this.prefix}blob/sha256:`.length);
      if (!/^[0-9a-f]{64}$/.test(hex)) return null;
      const blob = { size: o.Size ?? 0, modified: o.LastModified ?? new Date(0) };
      if (!metas.has(this.metaKey(hex))) return this.fromBlob(hex, blob, 'metadata object is missing');
      const m = await this.readMeta(hex);
      if (!m || 'error' in m) return this.fromBlob(hex, blob, m ? m.error : 'metadata object is missing');
      return toObject(m);
    });
    return found.filter((o): o is CasObject => o !== null);
  }

  async scan(): Promise<CasScan> {
    return scanS3(this);
  }

  async names(after: string | null, limit: number): Promise<string[]> {
    const out: string[] = [];
    const base = `${this.prefix}blob/sha256:`;
    for await (const o of this.listKeys(base, after === null ? undefined : this.blobKey(after))) {
      const hex = (o.Key ?? '').slice(base.length);
      if (/^[0-9a-f]{64}$/.test(hex)) out.push(hex);
      if (out.length >= limit) break;
    }
    return out;
  }

  async setPin(hex: string, pinnedAt: string | null): Promise<boolean> {
    return withKeyLock(this.lockKey(hex), async () => {
      const cur = await this.current(hex);
      if (!cur) return false;
      await this.writeMeta({ ...cur.doc, pinned: pinnedAt !== null, pinned_at: pinnedAt });
      return true;
    });
  }

  async remove(hex: string, guard: RemoveGuard): Promise<RemoveOutcome> {
    return withKeyLock(this.lockKey(hex), async (): Promise<RemoveOutcome> => {
      const cur = await this.current(hex);
      if (!cur) return { outcome: 'missing', size_bytes: 0 };
      const o = cur.object;
      if (guard.unpinnedOnly && o.pinned) return { outcome: 'pinned', size_bytes: o.size_bytes };
      if (guard.createdBeforeMs !== undefined && !(gcTimeMs(o) < guard.createdBeforeMs)) return { outcome: 'fresh', size_bytes: o.size_bytes };
      await this.deleteKey(this.metaKey(hex));
      await this.deleteKey(this.blobKey(hex));
      return { outcome: 'removed', size_bytes: o.size_bytes };
    });
  }

  async stats(): Promise<CasStats> {
    const all = await this.all();
    const pinned = all.filter((o) => o.pinned);
    return { objects: all.length, bytes: all.reduce((n, o) => n + o.size_bytes, 0), pinned: pinned.length, pinned_bytes: pinned.reduce((n, o) => n + o.size_bytes, 0) };
  }

  async close(): Promise<void> {
    this.c?.destroy();
    this.c = null;
  }
}

/** Creates the s3 backend (call open() before use); settings come from resolveS3Settings. */
export function createS3Backend(opts: S3BackendOptions): CasBackend {
  const sizes: S3WriterSizes = { smallLimit: opts.smallLimit ?? 1 << 20, partSize: opts.partSize ?? 8 << 20, queueSize: opts.queueSize ?? 4 };
  return new S3Backend(opts.settings, sizes, opts.tmpSafeAgeMs ?? DEFAULT_TMP_SAFE_AGE_MS);
}
