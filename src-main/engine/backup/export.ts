import path from 'node:path';
import { FoxError } from '../errors.js';
import { archiveFileName } from './names.js';
import type { OpOptions } from '../errors.js';

/** Options of `backup export`. */
export interface ExportOptions extends OpOptions {
  /** The archive to write (a `.tar.gz` file, or a directory to put `backup_<name>.tar.gz` in). */
  out?: string;
}

/** What an export wrote. */
export interface ExportResult {
  name: string;
  path: string;
  /** Bytes of the archive. */
  size: number;
  files: number;
  total_size: number;
}

/**
 * Where an export goes: `--out` as given, else `backup_<name>.tar.gz` in the working directory.
 * Not the backups dir by default: an archive there with the snapshot's name would make the bare
 * name ambiguous (the Go tool reads it from there: pass `--out ~/.foxctl/backups/` for that).
 */
export function exportTarget(name: string, out: string | undefined): string {
  if (out === undefined || out.trim() === '') return path.resolve(archiveFileName(name));
  const p = path.resolve(out.trim());
  if (out.trim().endsWith('/')) return path.join(p, archiveFileName(name));
  if (!p.endsWith('.tar.gz')) throw new FoxError('INVALID_INPUT', `--out ${out} must name a .tar.gz file or a directory ending in "/"`);
  return p;
}
