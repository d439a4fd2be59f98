import { FoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { CasStore } from './guarded-store.js';
import { mapLimit } from './map-limit.js';
import type { CasObject } from './types.js';

/** Options of gc (FORMATS.md): age, dry run, a cap, and pins (always kept). */
export interface GcOptions extends OpOptions {
  /** Remove unpinned objects created (or last put) before now minus this many ms. Default 168 h. */
  olderThanMs?: number | undefined;
  dryRun?: boolean | undefined;
  /** Remove at most this many objects. */
  maxDelete?: number | undefined;
  /** Pinned objects are never removed by gc; `false` is refused rather than ignored. */
  keepPinned?: boolean | undefined;
  /** Objects examined so far and the total. */
  onProgress?: ((done: number, total: number, message?: string) => void) | undefined;
}

/** One object a gc could not remove, and why. */
export interface GcFailure {
  digest: string;
  code: string;
  message: string;
}

/** What gc did (or, in a dry run, would do). */
export interface GcResult {
  objects_deleted: number;
  objects_skipped: number;
  bytes_freed: number;
  /** How many removals failed (details in `failures`). */
  errors: number;
  failures: GcFailure[];
  dry_run: boolean;
  /** Objects created before this time were candidates. */
  cutoff: string;
  /** Dry run: what would go. */
  candidates?: { digest: string; size_bytes: number; kind: string; created_at: string }[];
}

/** Removals in flight at once. */
const REMOVE_CONCURRENCY = 16;

/** The default grace window of gc: 168 h, as the Go foxctl. */
export const DEFAULT_GC_OLDER_THAN_MS = 168 * 3_600_000;

/**
 * Collects garbage: unpinned objects created before now − olderThan. Each removal is decided
 * again by the backend atomically with the delete, so an object put again while gc runs (which
 * refreshes its time) survives, as does one pinned meanwhile.
 */
export async function collectGarbage(store: CasStore, opts: GcOptions = {}): Promise<GcResult> {
  const olderThanMs = opts.olderThanMs ?? DEFAULT_GC_OLDER_THAN_MS;
  if (!Number.isFinite(olderThanMs) || olderThanMs < 0) throw new FoxError('INVALID_INPUT', `invalid older-than ${String(opts.olderThanMs)}: expected a duration of 0 or more`);
  const maxDelete = opts.maxDelete ?? Number.POSITIVE_INFINITY;
  if (maxDelete !== Number.POSITIVE_INFINITY && (!Number.isInteger(maxDelete) || maxDelete < 0)) {
    throw new FoxError('INVALID_INPUT', `invalid max-delete ${String(opts.maxDelete)}: expected a whole number`);
  }
  if (opts.keepPinned === false) throw new FoxError('UNSUPPORTED', 'gc never removes pinned objects: unpin them first (foxctl cas unpin), or remove them with foxctl cas rm --force');
  const cutoffMs = store.now().getTime() - olderThanMs;
  const cutoff = new Date(cutoffMs).toISOString();

  const old = await store.listAll({ createdBefore: new Date(cutoffMs), sort: 'created' }, { signal: opts.signal });

  const result: GcResult = { objects_deleted: 0, objects_skipped: 0, bytes_freed: 0, errors: 0, failures: [], dry_run: opts.dryRun === true, cutoff };
  const chosen: CasObject[] = [];
  for (const o of old) {
    if (o.pinned || chosen.length >= maxDelete) result.objects_skipped++;
    else chosen.push(o);
  }
  let done = result.objects_skipped;
  if (opts.dryRun) {
    result.objects_deleted = chosen.length;
    result.bytes_freed = chosen.reduce((n, o) => n + o.size_bytes, 0);
    result.candidates = chosen.map((o) => ({ digest: o.digest, size_bytes: o.size_bytes, kind: o.kind, created_at: o.created_at }));
    done = old.length;
  }
  // Removals run side by side so their directory fsyncs share commits (group commit).
  await mapLimit(opts.dryRun ? [] : chosen, REMOVE_CONCURRENCY, async (o) => {
    throwIfAborted(opts.signal, 'gc');
    try {
      const r = await store.remove(o.digest, { signal: opts.signal, guard: { unpinnedOnly: true, createdBeforeMs: cutoffMs } });
      if (r.outcome === 'removed') {
        result.objects_deleted++;
        result.bytes_freed += r.size_bytes;
      } else if (r.outcome !== 'missing') result.objects_skipped++;
    } catch (err) {
      const fe = err as FoxError;
      if (fe.code === 'CANCELED') throw err;
      result.errors++;
      result.failures.push({ digest: o.digest, code: fe.code ?? 'IO', message: fe.message });
    }
    opts.onProgress?.(++done, old.length, o.digest);
  });
  opts.onProgress?.(done, old.length);
  return result;
}
