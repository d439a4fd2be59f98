import { FoxError } from '../errors.js';
import type { BackupProblem, ManifestFile } from './types.js';

const CAS_BLOB_RE = /^cas\/sha256\/([0-9a-f]{64})$/;

/**
 * File-backend CAS blobs whose archived bytes do not hash to their name. The archive writer
 * hashed every entry for the manifest anyway, so this costs nothing more than a comparison.
 */
export function casFileProblems(files: ManifestFile[]): BackupProblem[] {
  const out: BackupProblem[] = [];
  for (const f of files) {
    const m = f.component === 'cas' ? CAS_BLOB_RE.exec(f.path) : null;
    if (m && f.checksum !== m[1]) out.push({ kind: 'cas_object', path: f.path, digest: `sha256:${m[1]}`, detail: `its bytes hash to sha256:${f.checksum}` });
  }
  return out;
}

/** Problems in a stable order (by path, then digest), so runs and tests compare. */
export function sortProblems(problems: BackupProblem[]): BackupProblem[] {
  const key = (p: BackupProblem): string => `${p.path}\u0000${p.digest ?? ''}`;
  return [...problems].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** One line naming a problem, as the CLI prints it and errors quote it. */
export function describeProblem(p: BackupProblem): string {
  const what = p.kind === 'cas_object' ? `CAS object ${p.digest ?? ''} (${p.path})` : `${p.store ? `store ${p.store}` : 'database'} (${p.path})`;
  return `${what}: ${p.detail}`;
}

/**
 * The error of a --strict create that found problems: CORRUPT when anything is damaged,
 * UNAVAILABLE when the only trouble is stores another process kept locked.
 */
export function strictError(name: string, problems: BackupProblem[]): FoxError {
  const damaged = problems.some((p) => p.kind !== 'store_unavailable');
  const listed = problems.slice(0, 5).map(describeProblem).join('; ');
  const more = problems.length > 5 ? `; and ${problems.length - 5} more` : '';
  return new FoxError(damaged ? 'CORRUPT' : 'UNAVAILABLE', `backup ${name} was not written (--strict): ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${listed}${more}`, { subject: `backup ${name}` });
}
