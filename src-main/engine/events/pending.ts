import fs from 'node:fs';
import path from 'node:path';
import { toFoxError } from '../errors.js';
import { checkEvent, type FoxEvent } from './model.js';

/** An NDJSON event past the syncer's offset: written, not yet in events.db. */
export interface PendingEvent {
  /** The stream file (relative to the events directory). */
  file: string;
  /** Byte offset of the line in its file. */
  offset: number;
  event: FoxEvent;
}

/** Where the syncer stands in one file (from SyncStatus.files). */
export interface PendingFile {
  file: string;
  offset: number;
  size: number;
  exists: boolean;
}

/** The newest pending events and whether older pending lines were left out. */
export interface PendingResult {
  events: PendingEvent[];
  truncated: boolean;
}

/** Bytes read from the end of each file's backlog: the newest lines are what a live tail wants. */
const WINDOW = 1 << 20;

/**
 * Reads the events not yet synced: the complete lines of each file between the syncer's offset
 * and the end, newest `limit` of them over all files (read from at most the last 1 MiB of each
 * backlog, so a huge backlog costs no more than a small one). Lines that are not events (the
 * syncer will reject them) and a trailing partial line are skipped. Read-only: nothing moves.
 */
export function readPendingEvents(dir: string, files: readonly PendingFile[], limit = 100): PendingResult {
  const out: PendingEvent[] = [];
  let truncated = false;
  for (const f of files) {
    if (!f.exists) continue;
    const file = path.join(dir, f.file);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw toFoxError(err, `events file ${file}`);
    }
    try {
      const size = fs.fstatSync(fd).size;
      // A file that shrank below the offset is read again from 0 by the syncer: all of it is pending.
      const offset = size < f.offset ? 0 : f.offset;
      if (size <= offset) continue;
      const start = Math.max(offset, size - WINDOW);
      const buf = Buffer.alloc(size - start);
      const got = fs.readSync(fd, buf, 0, buf.length, start);
      let pos = 0;
      if (start > offset) {
        // Started mid-backlog: skip to the first line start.
        truncated = true;
        pos = buf.indexOf(10) + 1;
        if (pos === 0) continue;
      }
      for (;;) {
        const nl = buf.indexOf(10, pos);
        if (nl < 0 || nl >= got) break;
        const text = buf.toString('utf8', pos, nl).trim();
        const at = start + pos;
        pos = nl + 1;
        if (text.length === 0) continue;
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          continue;
        }
        const ev = checkEvent(raw, true);
        if (typeof ev !== 'string') out.push({ file: f.file, offset: at, event: ev });
      }
    } finally {
      fs.closeSync(fd);
    }
  }
  out.sort((a, b) => (a.event.ts < b.event.ts ? -1 : a.event.ts > b.event.ts ? 1 : 0));
  if (out.length > limit) {
    truncated = true;
    out.splice(0, out.length - limit);
  }
  return { events: out, truncated };
}
