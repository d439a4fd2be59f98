import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';
import { ensureDirSync } from '../util/ensure-dir.js';

/** Lines larger than this are written in several write(2) calls by the kernel anyway: refuse them. */
export const MAX_LINE_BYTES = 1 << 20;

/** Largest buffer handed to one write(2) by appendLines; always a whole number of lines. */
const MAX_WRITE_BYTES = 1 << 20;

/**
 * Appends complete lines to an NDJSON file. Each call opens the file with O_APPEND, writes, and
 * closes: a line is one write(2), so concurrent writers (threads or processes) never interleave,
 * and a file rotated by rename + create is picked up by the next call instead of being written
 * behind the rotation's back. Never truncates. `lines` must each end with "\n".
 */
export function appendLines(file: string, lines: readonly string[]): void {
  if (lines.length === 0) return;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw toFoxError(err, `events file ${file}`);
    ensureDirSync(path.dirname(file), `events file ${file}`);
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    } catch (err2) {
      throw toFoxError(err2, `events file ${file}`);
    }
  }
  try {
    if (lines.length === 1) writeWhole(fd, Buffer.from(lines[0]!, 'utf8'));
    else {
      // Encode whole lines straight into one buffer and hand it to one write(2) when the next
      // line might not fit (a UTF-16 unit is at most 3 UTF-8 bytes): one encoding pass, no join.
      const buf = writeBuffer();
      let used = 0;
      for (const line of lines) {
        if (used > 0 && used + line.length * 3 > buf.length) {
          writeWhole(fd, buf.subarray(0, used));
          used = 0;
        }
        if (line.length * 3 > buf.length) writeWhole(fd, Buffer.from(line, 'utf8'));
        else used += buf.write(line, used, 'utf8');
      }
      if (used > 0) writeWhole(fd, buf.subarray(0, used));
    }
  } catch (err) {
    throw toFoxError(err, `events file ${file}`);
  } finally {
    fs.closeSync(fd);
  }
}

let pooled: Buffer | null = null;

/** The reusable encode buffer of appendLines (writes are synchronous: one user at a time). */
function writeBuffer(): Buffer {
  return (pooled ??= Buffer.allocUnsafe(MAX_WRITE_BYTES));
}

/**
 * Writes a buffer with O_APPEND. A regular file takes the whole buffer in one write(2); a short
 * write only happens when the disk fills, and then the rest is retried so the line is completed
 * (or the error surfaces, leaving a partial last line that the syncer never ingests).
 */
function writeWhole(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}
