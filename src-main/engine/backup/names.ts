import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError } from '../errors.js';

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Archive file name of a backup name, as the Go foxctl writes it. */
export function archiveFileName(name: string): string {
  return `backup_${name}.tar.gz`;
}

/** The backup name of an archive file name (`backup_x.tar.gz` -> `x`; other `.tar.gz` keep their stem). */
export function nameOfArchive(file: string): string {
  const base = path.basename(file);
  const stem = base.endsWith('.tar.gz') ? base.slice(0, -'.tar.gz'.length) : base;
  return stem.startsWith('backup_') ? stem.slice('backup_'.length) : stem;
}

/** Checks a backup name: letters, digits, `.`, `_`, `-`; no path separators, no `..`; at most 128 chars. */
export function validateName(name: string): string {
  const n = name.trim();
  if (!NAME_RE.test(n) || n.includes('..')) {
    throw new FoxError(
      'INVALID_INPUT',
      `invalid backup name "${name}": use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit (no "/", "\\" or "..")`,
      { subject: `backup ${name}` },
    );
  }
  return n;
}

/** The default name: local time `YYYY-MM-DD_HHMMSS` (as the Go foxctl names backups). */
export function defaultName(date: Date = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}_${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

/**
 * Finds an existing archive from what a user typed: a backup name (`nightly`), an archive file
 * name in the backups dir (`backup_nightly.tar.gz`), or a path to a `.tar.gz` anywhere. A bare
 * name is also looked up as the Go foxctl's `backup info|restore` does
 * (cmd/foxctl/cmd/backup.go): `<home>/backups/NAME`, with `.tar.gz` added when it is missing,
 * whatever paths.backups says and whatever characters the name has.
 */
export function resolveArchive(config: FoxConfig, nameOrPath: string): { name: string; path: string } {
  const raw = nameOrPath.trim();
  if (raw.length === 0) throw new FoxError('INVALID_INPUT', 'a backup name is required');
  const looksLikePath = raw.includes('/') || raw.includes(path.sep);
  const goForm = path.join(config.home, 'backups', raw.endsWith('.tar.gz') ? raw : `${raw}.tar.gz`);
  let invalid: FoxError | undefined;
  const ours = (): string[] => {
    try {
      return [path.join(config.backupsDir, archiveFileName(validateName(raw)))];
    } catch (err) {
      invalid = err as FoxError;
      return [];
    }
  };
  const candidates = looksLikePath
    ? [path.resolve(raw)]
    : raw.endsWith('.tar.gz')
      ? [path.join(config.backupsDir, raw), goForm]
      : [...ours(), path.join(config.backupsDir, `${raw}.tar.gz`), goForm];
  const unique = [...new Set(candidates)];
  for (const c of unique) {
    try {
      const st = fs.statSync(c);
      if (st.isFile()) return { name: nameOfArchive(c), path: c };
      throw new FoxError('INVALID_INPUT', `${c} is not a file`, { subject: `backup ${raw}` });
    } catch (err) {
      if (err instanceof FoxError) throw err;
    }
  }
  if (invalid) throw invalid;
  throw new FoxError('NOT_FOUND', `no backup "${raw}" (looked for ${unique.join(', ')}); run "foxctl backup list"`, { subject: `backup ${raw}` });
}
