import fs from 'node:fs';

/** One complete line of a file: its byte range, and either its bytes or why they were not kept. */
export interface FileLine {
  /** Offset of the line's first byte. */
  start: number;
  /** Offset just past its "\n": where the next line starts. */
  next: number;
  /** The line without its "\n" (valid until the generator resumes); null when oversized. */
  bytes: Buffer | null;
  /** The first bytes of an oversized line (a copy), for the rejects table. */
  head?: Buffer;
}

const READ_CHUNK = 1 << 20;
const OVERSIZE_HEAD = 512;

/**
 * Yields the complete lines of `fd` between `from` and `until` (exclusive). A trailing line
 * without its "\n" is not yielded: its writer may still be writing it. A line longer than
 * `maxLine` is yielded with `bytes: null` once its end is found, without ever holding it in
 * memory whole (a 10 MB line costs 1 MB of buffer, not 10).
 */
export function* completeLines(fd: number, from: number, until: number, maxLine: number): Generator<FileLine> {
  let pos = from;
  let lineStart = from;
  let pending: Buffer | null = null;
  let oversizeHead: Buffer | null = null;
  while (pos < until) {
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, until - pos));
    const n = fs.readSync(fd, chunk, 0, chunk.length, pos);
    if (n === 0) break;
    const data = chunk.subarray(0, n);
    let i = 0;
    for (;;) {
      const nl = data.indexOf(10, i);
      if (nl < 0) {
        if (oversizeHead === null) {
          const rest = data.subarray(i);
          pending = pending ? Buffer.concat([pending, rest]) : Buffer.from(rest);
          if (pending.length > maxLine) {
            oversizeHead = Buffer.from(pending.subarray(0, OVERSIZE_HEAD));
            pending = null;
          }
        }
        break;
      }
      const next = pos + nl + 1;
      if (oversizeHead !== null) {
        yield { start: lineStart, next, bytes: null, head: oversizeHead };
        oversizeHead = null;
      } else {
        const bytes: Buffer = pending ? Buffer.concat([pending, data.subarray(i, nl)]) : data.subarray(i, nl);
        pending = null;
        if (bytes.length > maxLine) yield { start: lineStart, next, bytes: null, head: Buffer.from(bytes.subarray(0, OVERSIZE_HEAD)) };
        else yield { start: lineStart, next, bytes };
      }
      lineStart = next;
      i = nl + 1;
    }
    pos += n;
  }
}

/** Counts the "\n" between `from` and `until`, reading at most `maxBytes`; `exact` is false when capped. */
export function countNewlines(fd: number, from: number, until: number, maxBytes: number): { lines: number; exact: boolean } {
  let lines = 0;
  let pos = from;
  const end = Math.min(until, from + maxBytes);
  const chunk = Buffer.allocUnsafe(READ_CHUNK);
  while (pos < end) {
    const n = fs.readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
    if (n === 0) break;
    let i = -1;
    while ((i = chunk.indexOf(10, i + 1)) >= 0 && i < n) lines++;
    pos += n;
  }
  return { lines, exact: end === until };
}
