import { AbortMultipartUploadCommand, CompleteMultipartUploadCommand, CreateMultipartUploadCommand, UploadPartCommand, type CompletedPart, type S3Client } from '@aws-sdk/client-s3';
import { ulid } from 'ulid';
import type { CasWriter, CommitMeta, CommitResult } from './types.js';

/** What the writer needs from its backend (kept narrow so the writer stays one concept). */
export interface S3WriterHost {
  readonly client: S3Client;
  readonly bucket: string;
  /** The temp key of a new upload. */
  tmpKey(id: string): string;
  /** Puts bytes at a key in one request. */
  putBytes(key: string, body: Buffer): Promise<void>;
  /** Deletes a key (absent is fine). */
  deleteKey(key: string): Promise<void>;
  /** Translates an SDK error. */
  fail(err: unknown, what: string): Error;
  /** Files an object held in memory under its digest. */
  commitSmall(hex: string, bytes: Buffer, meta: CommitMeta): Promise<CommitResult>;
  /** Files an object uploaded to `tmpKey` under its digest (and removes the temp object). */
  commitLarge(hex: string, tmpKey: string, meta: CommitMeta): Promise<CommitResult>;
}

/** Sizes of the writer: objects up to `smallLimit` go in one PutObject; larger ones as parts of `partSize`, `queueSize` at once. */
export interface S3WriterSizes {
  smallLimit: number;
  /** At least 5 MiB (S3's minimum for all parts but the last). */
  partSize: number;
  queueSize: number;
}

interface Multipart {
  key: string;
  uploadId: string;
  parts: CompletedPart[];
  inflight: Set<Promise<void>>;
  failure: Error | null;
}

/**
 * One upload to S3. Small objects are kept in memory and stored with one request once their
 * digest is known. Past `smallLimit` the bytes go to a temp key as a multipart upload: chunks
 * are copied into a small pool of reused part buffers (fresh buffers per part cost page faults
 * that showed as a third of the time in the benchmark), at most `queueSize` parts in flight, so
 * memory stays at (queueSize + 1) × partSize whatever the object's size. An empty placeholder is
 * written at the temp key first so a crashed upload is visible to the cleanup on open.
 */
export class S3Writer implements CasWriter {
  private small: Buffer[] = [];
  private smallBytes = 0;
  private mp: Multipart | null = null;
  private readonly free: Buffer[] = [];
  private made = 0;
  private cur: Buffer | null = null;
  private curLen = 0;
  // Writes may be issued before earlier ones settle: chaining keeps the bytes in order.
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: S3WriterHost,
    private readonly sizes: S3WriterSizes,
  ) {}

  write(chunk: Buffer): Promise<void> {
    // Small data is copied now (the caller reuses its memory once this resolves); large data is
    // copied into a part buffer before the chained step resolves.
    const p = this.chain.then(() => this.push(chunk));
    this.chain = p;
    return p;
  }

  private async push(chunk: Buffer): Promise<void> {
    if (!this.mp) {
      if (this.smallBytes + chunk.length <= this.sizes.smallLimit) {
        this.small.push(Buffer.from(chunk));
        this.smallBytes += chunk.length;
        return;
      }
      await this.start();
      const held = this.small;
      this.small = [];
      this.smallBytes = 0;
      for (const b of held) await this.fill(b);
    }
    await this.fill(chunk);
  }

  private async start(): Promise<void> {
    const key = this.host.tmpKey(ulid());
    await this.host.putBytes(key, Buffer.alloc(0));
    let uploadId: string | undefined;
    try {
      uploadId = (await this.host.client.send(new CreateMultipartUploadCommand({ Bucket: this.host.bucket, Key: key }))).UploadId;
    } catch (err) {
      await this.host.deleteKey(key).catch(() => undefined);
      throw this.host.fail(err, 'put');
    }
    if (!uploadId) throw this.host.fail(new Error('the server returned no upload id'), 'put');
    this.mp = { key, uploadId, parts: [], inflight: new Set(), failure: null };
  }

  private async buffer(): Promise<Buffer> {
    const mp = this.mp!;
    for (;;) {
      if (mp.failure) throw mp.failure;
      const b = this.free.pop();
      if (b) return b;
      if (this.made <= this.sizes.queueSize) {
        this.made++;
        return Buffer.allocUnsafeSlow(this.sizes.partSize);
      }
      await Promise.race(mp.inflight);
    }
  }

  private async fill(chunk: Buffer): Promise<void> {
    let at = 0;
    while (at < chunk.length) {
      this.cur ??= await this.buffer();
      const n = chunk.copy(this.cur, this.curLen, at);
      this.curLen += n;
      at += n;
      if (this.curLen === this.cur.length) this.send();
    }
  }

  /** Sends the current part buffer; it returns to the pool when the part is stored. */
  private send(): void {
    const mp = this.mp!;
    const buf = this.cur!;
    const len = this.curLen;
    this.cur = null;
    this.curLen = 0;
    const PartNumber = mp.parts.length + 1;
    mp.parts.push({ PartNumber });
    const p = this.host.client
      .send(new UploadPartCommand({ Bucket: this.host.bucket, Key: mp.key, UploadId: mp.uploadId, PartNumber, Body: buf.subarray(0, len), ContentLength: len }))
      .then(
        (r) => {
          mp.parts[PartNumber - 1] = { PartNumber, ETag: r.ETag };
          this.free.push(buf);
        },
        (err: unknown) => {
          mp.failure ??= this.host.fail(err, 'put');
        },
      )
      .finally(() => mp.inflight.delete(p));
    mp.inflight.add(p);
  }

  async commit(hex: string, meta: CommitMeta): Promise<CommitResult> {
    await this.chain;
    const mp = this.mp;
    if (!mp) return this.host.commitSmall(hex, Buffer.concat(this.small, this.smallBytes), meta);
    try {
      if (this.curLen > 0) this.send();
      while (mp.inflight.size > 0) await Promise.all(mp.inflight);
      if (mp.failure) throw mp.failure;
      try {
        await this.host.client.send(new CompleteMultipartUploadCommand({ Bucket: this.host.bucket, Key: mp.key, UploadId: mp.uploadId, MultipartUpload: { Parts: mp.parts } }));
      } catch (err) {
        throw this.host.fail(err, 'put');
      }
      this.mp = null;
      return await this.host.commitLarge(hex, mp.key, meta);
    } catch (err) {
      await this.abort();
      await this.host.deleteKey(mp.key).catch(() => undefined);
      throw err;
    }
  }

  async abort(): Promise<void> {
    this.small = [];
    const mp = this.mp;
    this.mp = null;
    this.cur = null;
    this.free.length = 0;
    if (!mp) return;
    await Promise.allSettled(mp.inflight);
    // Failures are left for the cleanup on open (and a bucket lifecycle rule for stray parts).
    await this.host.client.send(new AbortMultipartUploadCommand({ Bucket: this.host.bucket, Key: mp.key, UploadId: mp.uploadId })).catch(() => undefined);
    await this.host.deleteKey(mp.key).catch(() => undefined);
  }
}
