import fs from 'node:fs';
import { FoxError, toFoxError } from '../errors.js';

/** The last lines of a stream and where the file ended, to follow it from there. */
export interface TailResult {
  lines: string[];
  /** Byte offset just past the last complete line returned: pass it to readFrom to follow. */
  offset: number;
  /** The file's identity, to notice a rotation while following. */
  ino: number;
}

const TAIL_WINDOW = 1 << 20;

/** Reads the last `n` complete lines of a file (scanning back at most 1 MiB per 1,000 lines). */
export function tailLines(file: string, n: number): TailResult {
  if (!Number.isInteger(n) || n < 0 || n > 100_000) throw new FoxError('INVALID_INPUT', `lines must be a whole number from 0 to 100000 (got ${n})`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw toFoxError(err, `events file ${file}`);
  }
  try {
    const st = fs.fstatSync(fd);
    const window = Math.min(st.size, TAIL_WINDOW * Math.max(1, Math.ceil(n / 1000)));
    const buf = Buffer.alloc(window);
    const got = fs.readSync(fd, buf, 0, window, st.size - window);
    const text = buf.subarray(0, got);
    const lastNl = text.lastIndexOf(10);
    if (lastNl < 0) return { lines: [], offset: st.size - window, ino: st.ino };
    const complete = text.subarray(0, lastNl).toString('utf8').split('\n');
    // The first piece may be a cut line when the window does not start at a line start.
    if (window < st.size) complete.shift();
    return { lines: n === 0 ? [] : complete.slice(-n), offset: st.size - window + lastNl + 1, ino: st.ino };
  } finally {
    fs.closeSync(fd);
  }
}

/** Complete lines from `offset` on, and the offset after them (a trailing partial line waits). */
export function readFrom(file: string, offset: number): { lines: string[]; offset: number; ino: number; size: number } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { lines: [], offset: 0, ino: -1, size: 0 };
    throw toFoxError(err, `events file ${file}`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.size <= offset) return { lines: [], offset: Math.min(offset, st.size), ino: st.ino, size: st.size };
    const len = Math.min(st.size - offset, 4 << 20);
    const buf = Buffer.alloc(len);
    const got = fs.readSync(fd, buf, 0, len, offset);
    const lastNl = buf.subarray(0, got).lastIndexOf(10);
    if (lastNl < 0) return { lines: [], offset, ino: st.ino, size: st.size };
    return { lines: buf.subarray(0, lastNl).toString('utf8').split('\n'), offset: offset + lastNl + 1, ino: st.ino, size: st.size };
  } finally {
    fs.closeSync(fd);
  }
}
