import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';

/** The stream every Default / NDJSON / Hybrid event goes to unless a file is named. */
export const DEFAULT_STREAM = 'foxcular_events';

const NAME_RE = /^[a-z0-9_.-]+$/;

/**
 * Validates a stream name (`foxcular_events`, `core`, `code_swe_grep`; `.ndjson` optional) and
 * returns its file name. Anything with `/`, `\`, `..`, upper case or other characters is
 * INVALID_INPUT: a name never leaves the events directory.
 */
export function streamFileName(name: string): string {
  const raw = typeof name === 'string' ? name.trim() : '';
  const base = raw.endsWith('.ndjson') ? raw.slice(0, -'.ndjson'.length) : raw;
  const why =
    raw.length === 0 ? 'it is empty'
    : raw.includes('/') || raw.includes('\\') ? 'it contains a path separator'
    : raw.includes('..') ? 'it contains ".."'
    : !NAME_RE.test(base) || base.length === 0 ? 'only a-z, 0-9, "_", "." and "-" are allowed'
    : base.length > 200 ? 'it is longer than 200 characters'
    : null;
  if (why) throw new FoxError('INVALID_INPUT', `invalid events file name ${JSON.stringify(name)}: ${why}`, { subject: 'events file' });
  return `${base}.ndjson`;
}

/** The events directory: `$FOXCTL_OBS_DIR/events`. */
export function eventsDir(config: FoxConfig): string {
  return path.join(config.obsDir, 'events');
}

/** The absolute path of a stream (validated name). */
export function streamPath(config: FoxConfig, name: string = DEFAULT_STREAM): string {
  return path.join(eventsDir(config), streamFileName(name));
}

/** One NDJSON stream on disk. */
export interface StreamInfo {
  /** File name under events/ (`core.ndjson`). */
  file: string;
  path: string;
  size: number;
  mtime: string;
}

/** Every `*.ndjson` stream in the events directory, by name (none when it does not exist). */
export function listStreams(config: FoxConfig): StreamInfo[] {
  const dir = eventsDir(config);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new FoxError('IO', `cannot list ${dir}: ${(err as Error).message}`, { subject: 'events dir', cause: err });
  }
  const out: StreamInfo[] = [];
  for (const f of names.sort()) {
    if (!f.endsWith('.ndjson') || !NAME_RE.test(f.slice(0, -7))) continue;
    const p = path.join(dir, f);
    try {
      const st = fs.statSync(p);
      if (st.isFile()) out.push({ file: f, path: p, size: st.size, mtime: st.mtime.toISOString() });
    } catch {
      // Removed between readdir and stat (rotation): not a stream any more.
    }
  }
  return out;
}
