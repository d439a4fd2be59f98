import crypto from 'node:crypto';

/** Chunk sizes in bytes (min <= avg <= max; avg a power of two). */
export interface ChunkSizes {
  min: number;
  avg: number;
  max: number;
}

/**
 * The gear table of FastCDC, derived from SHA-256 of fixed strings: the same on every machine and
 * version, so two backups cut the same bytes at the same places (readers never need it).
 */
const GEAR = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) t[i] = crypto.createHash('sha256').update(`foxctl-gear-${i}`).digest().readUInt32BE(0);
  return t;
})();

/** A mask of the `bits` highest bits of a 32-bit word (the gear hash's last 32 bytes live there). */
function topBits(bits: number): number {
  return bits >= 32 ? 0xffffffff : ((0xffffffff << (32 - bits)) >>> 0);
}

/**
 * Where the chunk starting at `start` ends in `buf[start..end)`: FastCDC with normalized chunking
 * (a stricter mask before `avg`, a looser one after), never before `min`, always by `max`.
 * Returns -1 when the data ends before a cut point and `final` is false (more bytes will come).
 */
export function findCut(buf: Uint8Array, start: number, end: number, sizes: ChunkSizes, final: boolean): number {
  const n = end - start;
  if (n <= sizes.min) return final ? end : -1;
  const bits = Math.round(Math.log2(sizes.avg));
  const maskS = topBits(bits + 2);
  const maskL = topBits(bits - 2);
  const normal = start + Math.min(sizes.avg, n);
  const limit = start + Math.min(sizes.max, n);
  let h = 0;
  let i = start + sizes.min;
  for (; i < normal; i++) {
    h = ((h << 1) + GEAR[buf[i]!]!) >>> 0;
    if ((h & maskS) === 0) return i + 1;
  }
  for (; i < limit; i++) {
    h = ((h << 1) + GEAR[buf[i]!]!) >>> 0;
    if ((h & maskL) === 0) return i + 1;
  }
  if (limit - start === sizes.max || final) return limit;
  return -1;
}

/**
 * Cuts a stream of buffers into content-defined chunks: an insertion moves the cut points near
 * it only, so an appended-to log adds only its tail and an edited file only the chunks it touched.
 */
export class ContentChunker {
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly sizes: ChunkSizes) {}

  /** The chunks completed by `data` (the rest waits for more data or end()). */
  push(data: Buffer): Buffer[] {
    const buf = this.carry.length === 0 ? data : Buffer.concat([this.carry, data]);
    const out: Buffer[] = [];
    let start = 0;
    for (;;) {
      const cut = findCut(buf, start, buf.length, this.sizes, false);
      if (cut < 0) break;
      out.push(buf.subarray(start, cut));
      start = cut;
    }
    // A copy, so the caller may reuse its read buffer.
    this.carry = Buffer.from(buf.subarray(start));
    return out;
  }

  /** The last chunks, once the data has ended. */
  end(): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    while (start < this.carry.length) {
      const cut = findCut(this.carry, start, this.carry.length, this.sizes, true);
      out.push(this.carry.subarray(start, cut));
      start = cut;
    }
    this.carry = Buffer.alloc(0);
    return out;
  }
}
