import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';

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
    fs.mkdirSync(path.dirname(file), { recursive: true });
    try {
      fd = fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
    } catch (err2) {
      throw toFoxError(err2, `events file ${file}`);
    }
  }
  try {
    if (lines.length === 1) writeWhole(fd, Buffer.from(lines[0]!, 'utf8'));
    else {
      // Group whole lines into buffers of at most MAX_WRITE_BYTES, one write(2) each. Counting
      // UTF-16 units (a UTF-8 byte count is at most 3 per unit) avoids measuring every line.
      let start = 0;
      let units = 0;
      for (let i = 0; i < lines.length; i++) {
        const n = lines[i]!.length;
        if (units + n > MAX_WRITE_BYTES / 3 && i > start) {
          writeWhole(fd, Buffer.from(lines.slice(start, i).join(''), 'utf8'));
          start = i;
          units = 0;
        }
        units += n;
      }
      writeWhole(fd, Buffer.from(lines.slice(start).join(''), 'utf8'));
    }
  } catch (err) {
    throw toFoxError(err, `events file ${file}`);
  } finally {
    fs.closeSync(fd);
  }
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
