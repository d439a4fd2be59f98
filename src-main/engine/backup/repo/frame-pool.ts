// Decompresses frames and re-hashes their blobs on worker threads, so a restore or a verify
// uses every core for the two costs that dominate it (gunzip and SHA-256) while the calling
// thread writes files. The worker is plain CommonJS evaluated from a string (as snapshot.ts's),
// so it runs the same from tsx, vitest, the esbuild bundle and Electron.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { FoxError, toFoxError } from '../../errors.js';

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const zlib = require('node:zlib');
const { createHash } = require('node:crypto');
parentPort.on('message', (m) => {
  let raw;
  try {
    raw = zlib.gunzipSync(m.gz);
    if (raw.length !== m.raw) throw new Error(raw.length + ' bytes, the index says ' + m.raw);
  } catch (err) {
    parentPort.postMessage({ id: m.id, ok: false, message: String((err && err.message) || err) });
    return;
  }
  // Every blob of the frame is re-hashed; the bad ones are reported, not thrown: a damaged blob
  // that nobody reads must not fail a reader of its neighbours.
  const bad = [];
  for (let i = 0; i < m.offsets.length; i++) {
    const off = m.offsets[i];
    const len = m.lengths[i];
    if (off + len > raw.length || createHash('sha256').update(raw.subarray(off, off + len)).digest('hex') !== m.ids.slice(i * 64, i * 64 + 64)) bad.push(i);
  }
  // A frame's output has a buffer of its own (transferred, not copied), unless zlib pooled it.
  const own = raw.byteOffset === 0 && raw.byteLength === raw.buffer.byteLength;
  let out = raw;
  if (!own) { out = new Uint8Array(raw.length); out.set(raw); }
  parentPort.postMessage({ id: m.id, ok: true, raw: out, bad }, [out.buffer]);
});
`;

/** What a worker sends back: the frame's bytes and the indices of the blobs that do not match their ids. */
export interface InflatedFrame {
  raw: Buffer;
  /** Indices (into the `ids` sent) of blobs whose bytes do not hash to their id. */
  bad: number[];
}

interface Job {
  /** `ids`: the blobs' 64-hex ids joined (one string clones faster than thousands). */
  msg: { gz: Buffer; raw: number; ids: string; offsets: Uint32Array; lengths: Uint32Array };
  resolve(v: InflatedFrame): void;
  reject(err: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
}

/** How many frame workers to start: one a core, at least one, at most four. */
export function defaultFrameWorkers(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

/**
 * A few worker threads that gunzip a frame and re-hash each of its blobs; jobs run in the order
 * they are queued. A frame that does not decompress (or to another length than the index says)
 * rejects with CORRUPT; a blob that does not match is reported in `bad`. Close it when done:
 * live workers keep the process running.
 */
export class FramePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private next = 0;
  private closed = false;
  private failed: unknown;

  constructor(size = defaultFrameWorkers()) {
    for (let i = 0; i < size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true }), job: null };
    slot.worker.on('message', (r: { ok: boolean; raw?: Uint8Array; bad?: number[]; message?: string }) => {
      const job = slot.job;
      slot.job = null;
      if (job) {
        if (r.ok) job.resolve({ raw: Buffer.from(r.raw!.buffer, r.raw!.byteOffset, r.raw!.byteLength), bad: r.bad! });
        else job.reject(new FoxError('CORRUPT', r.message ?? 'the frame does not decompress'));
      }
      this.pump();
    });
    const fail = (err: unknown): void => {
      this.failed ??= err;
      slot.job?.reject(err);
      slot.job = null;
      for (const j of this.queue.splice(0)) j.reject(err);
    };
    slot.worker.on('error', (err) => fail(toFoxError(err, 'a frame worker')));
    slot.worker.on('exit', () => {
      if (!this.closed) fail(new FoxError('IO', 'a frame worker stopped'));
    });
    return slot;
  }

  /**
   * Inflates the gzip member `gz` (its buffer is handed to the worker: do not use it after) and
   * re-hashes the blobs `ids` at `offsets`/`lengths` of its output.
   */
  inflate(gz: Buffer, raw: number, blobs: { id: string; offset: number; length: number }[]): Promise<InflatedFrame> {
    if (this.closed) return Promise.reject(new FoxError('CANCELED', 'the frame pool is closed'));
    if (this.failed !== undefined) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const offsets = new Uint32Array(blobs.length);
      const lengths = new Uint32Array(blobs.length);
      let ids = '';
      for (let i = 0; i < blobs.length; i++) {
        offsets[i] = blobs[i]!.offset;
        lengths[i] = blobs[i]!.length;
        // A malformed id (not 64 characters) must not shift the others: it can only mismatch.
        const id = blobs[i]!.id;
        ids += id.length === 64 ? id : 'x'.repeat(64);
      }
      this.queue.push({ msg: { gz, raw, ids, offsets, lengths }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    for (let n = 0; n < this.slots.length && this.queue.length > 0; n++) {
      const slot = this.slots[(this.next + n) % this.slots.length]!;
      if (slot.job) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      const gz = job.msg.gz;
      // Transfer the compressed bytes when they own their buffer; copy a slice of a bigger one.
      const own = gz.byteOffset === 0 && gz.byteLength === gz.buffer.byteLength;
      let copy = gz;
      if (!own) {
        copy = Buffer.allocUnsafeSlow(gz.length);
        gz.copy(copy);
      }
      const msg = { ...job.msg, gz: copy };
      slot.worker.postMessage(msg, [msg.gz.buffer as ArrayBuffer]);
      this.next = (this.next + n + 1) % this.slots.length;
    }
  }

  /** Stops the workers; queued jobs reject with CANCELED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = new FoxError('CANCELED', 'the frame pool was closed');
    for (const j of this.queue.splice(0)) j.reject(err);
    for (const s of this.slots) s.job?.reject(err);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
