import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import type { S3Client } from '@aws-sdk/client-s3';
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

/** Sizes of the writer: objects up to `smallLimit` go in one PutObject; larger ones stream as multipart. */
export interface S3WriterSizes {
  smallLimit: number;
  partSize: number;
  queueSize: number;
}

interface BigUpload {
  key: string;
  body: PassThrough;
  upload: Upload;
  /** Settles when the upload is complete; rejects (translated) when it fails. */
  done: Promise<void>;
}

/**
 * One upload to S3. Small objects are kept in memory and stored with one request once their
 * digest is known. Past `smallLimit` the bytes stream to a temp key through lib-storage's
 * multipart Upload (memory bounded by partSize × queueSize); an empty placeholder is written
 * there first so a crashed upload is visible to the cleanup on open even before a part lands.
 */
export class S3Writer implements CasWriter {
  private small: Buffer[] = [];
  private smallBytes = 0;
  private big: BigUpload | null = null;
  // Writes may be issued before earlier ones settle: chaining keeps the bytes in order.
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: S3WriterHost,
    private readonly sizes: S3WriterSizes,
  ) {}

  write(chunk: Buffer): Promise<void> {
    // Copied now: the caller reuses the chunk's memory once the promise resolves.
    const copy = Buffer.from(chunk);
    const p = this.chain.then(() => this.push(copy));
    this.chain = p;
    return p;
  }

  private async push(buf: Buffer): Promise<void> {
    if (!this.big) {
      this.small.push(buf);
      this.smallBytes += buf.length;
      if (this.smallBytes <= this.sizes.smallLimit) return;
      const held = this.small;
      this.small = [];
      this.smallBytes = 0;
      const big = await this.start();
      for (const b of held) await this.send(big, b);
      return;
    }
    await this.send(this.big, buf);
  }

  private async start(): Promise<BigUpload> {
    const key = this.host.tmpKey(ulid());
    await this.host.putBytes(key, Buffer.alloc(0));
    const body = new PassThrough({ highWaterMark: 1 << 20 });
    const upload = new Upload({
      client: this.host.client,
      params: { Bucket: this.host.bucket, Key: key, Body: body },
      partSize: this.sizes.partSize,
      queueSize: this.sizes.queueSize,
      leavePartsOnError: false,
    });
    const done = upload.done().then(
      () => undefined,
      (err: unknown) => {
        throw this.host.fail(err, 'upload');
      },
    );
    done.catch(() => undefined);
    this.big = { key, body, upload, done };
    return this.big;
  }

  private async send(big: BigUpload, buf: Buffer): Promise<void> {
    if (big.body.write(buf)) return;
    // A failed upload stops reading: wait for room or for the failure, never forever.
    await Promise.race([once(big.body, 'drain').then(() => undefined), big.done.then(() => undefined)]);
  }

  async commit(hex: string, meta: CommitMeta): Promise<CommitResult> {
    await this.chain;
    if (!this.big) return this.host.commitSmall(hex, Buffer.concat(this.small, this.smallBytes), meta);
    const big = this.big;
    big.body.end();
    try {
      await big.done;
      return await this.host.commitLarge(hex, big.key, meta);
    } catch (err) {
      await this.host.deleteKey(big.key).catch(() => undefined);
      throw err;
    }
  }

  async abort(): Promise<void> {
    this.small = [];
    const big = this.big;
    if (!big) return;
    this.big = null;
    try {
      await big.upload.abort();
    } catch {
      // Already finished or failed: the temp key is removed below either way.
    }
    big.body.destroy();
    await big.done.catch(() => undefined);
    // Left for the cleanup on open when the server is gone.
    await this.host.deleteKey(big.key).catch(() => undefined);
  }
}
