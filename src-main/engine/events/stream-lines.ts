import fs from 'node:fs';
import { createGunzip } from 'node:zlib';

/** One line of a stream file: its 1-based number and its text (without the newline). */
export interface StreamLine {
  no: number;
  text: string;
}

/** Lines longer than this are skipped whole (Go's query scanner stops at 1 MiB too): memory stays bounded. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * The lines of an NDJSON file, streamed: a `.gz` file (a logrotate rotation) is gunzipped on the
 * way, so neither form is ever held whole in memory; at most one line (MAX_LINE_BYTES) and one
 * read chunk are. A last line without its newline is yielded too (a rotated file is complete).
 * `skipped` counts lines over the cap. Rejects with the read or gunzip error (a damaged archive).
 */
export async function* streamLines(file: string, counters: { skipped: number } = { skipped: 0 }, signal?: AbortSignal): AsyncGenerator<StreamLine> {
  const raw = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  const src: NodeJS.ReadableStream = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  // A gunzip error does not travel back through pipe(): pass read errors on to what we iterate.
  if (src !== raw) raw.on('error', (err) => (src as NodeJS.ReadableStream & { destroy(e?: Error): void }).destroy(err));
  let parts: Buffer[] = [];
  let held = 0;
  let skipping = false;
  let no = 0;
  try {
    for await (const chunk of src as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new Error('aborted');
      let pos = 0;
      for (;;) {
        const nl = chunk.indexOf(10, pos);
        if (nl < 0) {
          const rest = chunk.subarray(pos);
          if (!skipping && held + rest.length > MAX_LINE_BYTES) {
            skipping = true;
            parts = [];
            held = 0;
          }
          if (!skipping && rest.length > 0) {
            parts.push(rest);
            held += rest.length;
          }
          break;
        }
        no++;
        if (skipping) counters.skipped++;
        else {
          const piece = chunk.subarray(pos, nl);
          const text = held === 0 ? piece.toString('utf8') : Buffer.concat([...parts, piece]).toString('utf8');
          yield { no, text };
        }
        parts = [];
        held = 0;
        skipping = false;
        pos = nl + 1;
      }
    }
    if (skipping) counters.skipped++;
    else if (held > 0) yield { no: no + 1, text: Buffer.concat(parts).toString('utf8') };
  } finally {
    raw.destroy();
  }
}
