import { FoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { CasStore } from './guarded-store.js';
import { mapLimit } from './map-limit.js';
import { gcTimeMs } from './meta.js';
import type { CasObject } from './types.js';

/** Options of gc (FORMATS.md): age, dry run, a cap, and pins (always kept). */
export interface GcOptions extends OpOptions {
  /** Remove unpinned objects created and last put before now minus this many ms. Default 72 h, as the Go CLI. */
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
  /** Kept, as the Go gc counts them: pinned (of any age) plus too new (`skipped_pinned` + `skipped_fresh`). */
  objects_skipped: number;
  /** Kept because pinned. */
  skipped_pinned: number;
  /** Kept because created or put again within the grace window. */
  skipped_fresh: number;
  /** Old enough but over --max-delete: left for the next gc (the Go gc stops there and does not count them). */
  objects_left: number;
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

/**
 * The default grace window of gc: 72 h, the Go CLI's `cas gc --older-than` default
 * (cmd/foxctl/cmd/cas.go, commit be796755, newCASGCCommand).
 */
export const DEFAULT_GC_OLDER_THAN = '72h';

/** DEFAULT_GC_OLDER_THAN in ms. */
export const DEFAULT_GC_OLDER_THAN_MS = 72 * 3_600_000;

/**
 * Collects garbage: unpinned objects created and last put before now − olderThan (gcTimeMs:
 * the later of created_at and last_put_at). Each removal is decided again by the backend
 * atomically with the delete, so an object put again while gc runs (which refreshes
 * last_put_at) survives, as does one pinned meanwhile.
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

  const old = await store.listAll({ sort: 'created' }, { signal: opts.signal });

  const result: GcResult = { objects_deleted: 0, objects_skipped: 0, skipped_pinned: 0, skipped_fresh: 0, objects_left: 0, bytes_freed: 0, errors: 0, failures: [], dry_run: opts.dryRun === true, cutoff };
  const chosen: CasObject[] = [];
  for (const o of old) {
    // As the Go gc: a pin is checked first, whatever the age.
    if (o.pinned) result.skipped_pinned++;
    else if (!(gcTimeMs(o) < cutoffMs)) result.skipped_fresh++;
    else if (chosen.length >= maxDelete) result.objects_left++;
    else chosen.push(o);
  }
  result.objects_skipped = result.skipped_pinned + result.skipped_fresh;
  let done = old.length - chosen.length;
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
      } else if (r.outcome === 'pinned' || r.outcome === 'fresh') {
        // Pinned or put again since the listing: kept, and counted as the Go gc counts it.
        if (r.outcome === 'pinned') result.skipped_pinned++;
        else result.skipped_fresh++;
        result.objects_skipped++;
      }
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
