import { isFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import { digestOf } from './digest.js';
import type { CasStore } from './guarded-store.js';
import type { CasDamage } from './types.js';

/** Options of verify. */
export interface VerifyOptions extends OpOptions {
  /** Objects checked so far, the total, and the current digest. */
  onProgress?: ((done: number, total: number, message?: string) => void) | undefined;
}

/** Every kind of problem verify reports, listed once (the CLI, the contract and the GUI use it). */
export const VERIFY_PROBLEMS = ['missing_bytes', 'orphan_bytes', 'orphan_pin', 'corrupt', 'metadata', 'unreadable'] as const;

/**
 * A kind of problem. `missing_bytes`: metadata (or a pin) whose bytes are gone; `orphan_bytes`:
 * bytes nothing describes; `orphan_pin`: a pin of an object that is gone; `corrupt`: bytes that
 * do not hash to their name; `metadata`: metadata unreadable or not matching the bytes;
 * `unreadable`: reading failed.
 */
export type VerifyProblemKind = (typeof VERIFY_PROBLEMS)[number];

/** One problem verify found. */
export interface VerifyProblem {
  digest: string;
  problem: VerifyProblemKind;
  message: string;
  /** What the user can do about it. */
  hint: string;
  /** The object's size where known (recorded, or found). */
  size_bytes?: number;
}

/** What verify found. */
export interface VerifyResult {
  objects_checked: number;
  bytes_checked: number;
  /** Digests whose bytes do not hash to their name. */
  corrupt: string[];
  /** Digests whose metadata or pin remains but whose bytes are gone. */
  missing: string[];
  problems: VerifyProblem[];
  /** How many problems of each kind. */
  counts: Record<VerifyProblemKind, number>;
  ok: boolean;
}

const REPUT = 'put the original content again (foxctl cas put FILE) or restore the CAS from a backup';

/** What to do about each kind of problem (`verified`: orphan bytes that hash to their name). */
function hintFor(kind: VerifyProblemKind, verified = false): string {
  switch (kind) {
    case 'missing_bytes':
      return `The bytes are lost: ${REPUT}; the put stores them under the metadata that remains. Without the content, foxctl cas rm --force DIGEST removes what is left.`;
    case 'orphan_bytes':
      return verified
        ? 'The bytes are intact but nothing describes them: put the content again (foxctl cas put FILE) to file its metadata.'
        : 'Nothing describes these bytes (a removal that knew only part of the store, such as the Go foxctl\'s rm): put the original content again to file them.';
    case 'orphan_pin':
      return 'A pin left behind by an object that is gone: it keeps nothing. Put the content again to have it pinned once more, or remove the pin (foxctl cas rm --force DIGEST).';
    case 'corrupt':
      return `Do not use these bytes: remove the object (foxctl cas rm --force DIGEST), then ${REPUT}.`;
    case 'metadata':
      return 'The bytes verify but their metadata is wrong or unreadable: put the content again to rewrite it.';
    case 'unreadable':
      return 'Reading it failed: check the disk, permissions or connection named in the message, then verify again.';
  }
}

const key = (d: CasDamage): string => `${d.kind}:${d.hex}`;

/** Objects checked at once. */
const IN_FLIGHT = 8;
/** Objects larger than this are hashed one at a time (memory: each read holds up to 28 MiB of buffers). */
const LARGE = 4 << 20;

/**
 * Re-hashes every object and reports every loss: bytes that do not match their name, metadata
 * or pins whose bytes are gone, bytes without metadata, unreadable metadata. The store is listed
 * twice, before and after the walk, and only losses both listings show are reported: a put or
 * removal of another process caught between its two writes is not a loss.
 */
export async function verifyStore(store: CasStore, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const first = await store.scan({ signal: opts.signal });
  const orphans = new Set(first.damage.filter((d) => d.kind === 'orphan_bytes').map((d) => d.hex));
  const verifiedOrphans = new Set<string>();
  const res: VerifyResult = { objects_checked: 0, bytes_checked: 0, corrupt: [], missing: [], problems: [], counts: emptyCounts(), ok: true };
  const total = first.stored.length;
  let started = 0;
  const checkOne = async (hex: string): Promise<void> => {
    const digest = digestOf(hex);
    let recorded: number | null = null;
    try {
      const head = await store.head(digest, { signal: opts.signal });
      // Bytes without metadata are reported once, as orphan_bytes, from the listings.
      if (head.meta_error && !orphans.has(hex)) res.problems.push(problem(digest, 'metadata', head.meta_error));
      if (!head.meta_error) recorded = head.size_bytes;
      // Large objects one at a time: each read holds a few MiB of buffers, and hashing is the bottleneck anyway.
      const check = (): Promise<{ size_bytes: number }> => store.check(digest, { signal: opts.signal });
      const { size_bytes } = head.size_bytes > LARGE ? await oneLarge(check) : await check();
      res.bytes_checked += size_bytes;
      if (orphans.has(hex)) verifiedOrphans.add(hex);
      if (recorded !== null && recorded !== size_bytes) res.problems.push(problem(digest, 'metadata', `its metadata records ${recorded} bytes but the ${size_bytes} stored bytes hash to its name`, size_bytes));
    } catch (err) {
      if (isFoxError(err, 'CANCELED') || opts.signal?.aborted) throw err;
      // Removed by a concurrent gc between listing and reading: nothing to verify.
      if (isFoxError(err, 'NOT_FOUND')) return;
      const corrupt = isFoxError(err, 'CORRUPT');
      if (corrupt) res.corrupt.push(digest);
      const note = corrupt && recorded !== null ? `; its metadata records ${recorded} bytes` : '';
      res.problems.push(problem(digest, corrupt ? 'corrupt' : 'unreadable', `${(err as Error).message}${note}`, recorded ?? undefined));
    }
    res.objects_checked++;
  };
  let large: Promise<unknown> = Promise.resolve();
  const oneLarge = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = large.then(fn, fn);
    large = run.catch(() => undefined);
    return run;
  };
  // A few objects in flight: small files (and every S3 request) cost a round trip more than hashing.
  const worker = async (): Promise<void> => {
    while (started < total) {
      throwIfAborted(opts.signal, 'verify');
      const hex = first.stored[started++]!;
      opts.onProgress?.(res.objects_checked, total, digestOf(hex));
      await checkOne(hex);
    }
  };
  await Promise.all(Array.from({ length: Math.min(IN_FLIGHT, total) }, worker));
  res.corrupt.sort();
  const seen = new Set(first.damage.map(key));
  const last = await store.scan({ signal: opts.signal });
  for (const d of last.damage) {
    if (!seen.has(key(d))) continue;
    const digest = digestOf(d.hex);
    if (d.kind === 'missing_bytes') res.missing.push(digest);
    const verified = verifiedOrphans.has(d.hex);
    const pinNote = d.kind === 'missing_bytes' && d.pinned && !/\bpin\b/.test(d.detail) ? ' (it was pinned)' : '';
    const message = `${d.detail}${pinNote}${verified ? '; the bytes hash to their name' : ''}`;
    res.problems.push({ ...problem(digest, d.kind, message, d.size_bytes), hint: hintFor(d.kind, verified) });
  }
  opts.onProgress?.(res.objects_checked, total);
  res.problems.sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : VERIFY_PROBLEMS.indexOf(a.problem) - VERIFY_PROBLEMS.indexOf(b.problem)));
  for (const p of res.problems) res.counts[p.problem]++;
  res.ok = res.problems.length === 0;
  return res;
}

function problem(digest: string, kind: VerifyProblemKind, message: string, size?: number): VerifyProblem {
  return { digest, problem: kind, message, hint: hintFor(kind), ...(size === undefined ? {} : { size_bytes: size }) };
}

function emptyCounts(): Record<VerifyProblemKind, number> {
  return Object.fromEntries(VERIFY_PROBLEMS.map((k) => [k, 0])) as Record<VerifyProblemKind, number>;
}
