import { isFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { CasStore } from './guarded-store.js';

/** Options of verify. */
export interface VerifyOptions extends OpOptions {
  /** Objects checked so far, the total, and the current digest. */
  onProgress?: ((done: number, total: number, message?: string) => void) | undefined;
}

/** One object that failed verification. */
export interface VerifyProblem {
  digest: string;
  /** `corrupt`: bytes do not hash to the name; `metadata`: its metadata is missing or unreadable; `unreadable`: read failed. */
  problem: 'corrupt' | 'metadata' | 'unreadable';
  message: string;
}

/** What verify found. */
export interface VerifyResult {
  objects_checked: number;
  bytes_checked: number;
  /** Digests whose bytes do not hash to their name. */
  corrupt: string[];
  problems: VerifyProblem[];
  ok: boolean;
}

/** Re-hashes every object and reports the ones that do not match their name (or cannot be read). */
export async function verifyStore(store: CasStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const names: string[] = [];
  for (let after: string | null = null; ; ) {
    const page = await store.names(after, 5000, { signal: opts.signal });
    names.push(...page);
    if (page.length < 5000) break;
    after = page[page.length - 1]!;
  }
  const res: VerifyResult = { objects_checked: 0, bytes_checked: 0, corrupt: [], problems: [], ok: true };
  for (const digest of names) {
    throwIfAborted(opts.signal, 'verify');
    opts.onProgress?.(res.objects_checked, names.length, digest);
    try {
      const head = await store.head(digest, { signal: opts.signal });
      if (head.meta_error) res.problems.push({ digest, problem: 'metadata', message: head.meta_error });
      res.bytes_checked += (await store.check(digest, { signal: opts.signal })).size_bytes;
    } catch (err) {
      if (isFoxError(err, 'CANCELED') || opts.signal?.aborted) throw err;
      // Removed by a concurrent gc between listing and reading: nothing to verify.
      if (isFoxError(err, 'NOT_FOUND')) continue;
      const corrupt = isFoxError(err, 'CORRUPT');
      if (corrupt) res.corrupt.push(digest);
      res.problems.push({ digest, problem: corrupt ? 'corrupt' : 'unreadable', message: (err as Error).message });
    }
    res.objects_checked++;
  }
  opts.onProgress?.(res.objects_checked, names.length);
  res.ok = res.problems.length === 0;
  return res;
}
