import { HTTP, type CallName } from '../../src-preload/contract.js';
import { DEFAULT_GC_OLDER_THAN } from '../engine/cas/gc.js';
import { addCasTags } from '../engine/cas/tag.js';
import type { Engine } from '../engine/engine.js';
import { FoxError } from '../engine/errors.js';
import { downloadTicketsFor } from './download-tickets.js';
import { parseDuration } from '../engine/util/duration.js';
import { previewObject } from './cas-preview.js';
import type { Handler, HostInfo } from './handlers.js';

/** The CAS calls beyond stats and puts (which live in handlers.ts). */
type CasCall = 'cas.list' | 'cas.head' | 'cas.pin' | 'cas.unpin' | 'cas.rm' | 'cas.gc' | 'cas.verify' | 'cas.preview' | 'cas.tag' | 'cas.check' | 'cas.saveAs' | 'cas.downloadLink';

/** Engine pages scanned for one digest-prefix page before returning with a cursor (bounds the work). */
const MAX_PREFIX_PAGES = 50;

/** Pinned objects listed as "kept" by a gc dry run. */
const MAX_KEPT_LISTED = 1000;

/** Handlers of the CAS view's calls; every one goes through engine.cas. */
export function createCasHandlers(engine: Engine, host?: Pick<HostInfo, 'mode' | 'pickSavePath'>): { [N in CasCall & CallName]: Handler<N> } {
  return {
    'cas.list': async (input, { signal }) => {
      const { digestPrefix, ...query } = input;
      const prefix = digestPrefix?.replace(/^sha256:/, '') ?? '';
      if (prefix === '') return engine.cas.list(query, { signal });
      // The engine has no digest filter: scan pages of `limit` until one fills the page, and
      // return whole scanned pages' matches so the engine's cursor stays exact (no loss, no repeat).
      const want = `sha256:${prefix}`;
      const items = [];
      let cursor = query.cursor;
      for (let pages = 0; pages < MAX_PREFIX_PAGES; pages++) {
        const page = await engine.cas.list({ ...query, cursor }, { signal });
        items.push(...page.items.filter((o) => o.digest.startsWith(want)));
        if (page.next_cursor === null) return { items, next_cursor: null };
        cursor = page.next_cursor;
        if (items.length >= (query.limit ?? 100)) break;
      }
      return { items, next_cursor: cursor ?? null };
    },
    'cas.head': async (input, { signal }) => engine.cas.head(input.digest, { signal }),
    'cas.pin': async (input, { signal }) => engine.cas.pin(input.digest, { signal }),
    'cas.unpin': async (input, { signal }) => engine.cas.unpin(input.digest, { signal }),
    'cas.rm': async (input, { signal }) => {
      // No force from the GUI: a pinned object is refused with PINNED and the reason.
      const r = await engine.cas.rm(input.digest, { signal });
      return { digest: r.digest, removed: r.removed, size_bytes: r.size_bytes };
    },
    'cas.gc': async (input, { signal }) => {
      const olderThanMs = input.olderThan === undefined ? undefined : parseDuration(input.olderThan, 'older-than');
      if (!input.dryRun) return { jobId: engine.cas.startGc({ olderThanMs, title: `cas gc --older-than ${input.olderThan ?? DEFAULT_GC_OLDER_THAN}` }).id };
      const r = await engine.cas.gc({ olderThanMs, dryRun: true, signal });
      const kept = await engine.cas.list({ pinned: true, createdBefore: r.cutoff, limit: MAX_KEPT_LISTED }, { signal });
      return { dry_run: true, cutoff: r.cutoff, objects_deleted: r.objects_deleted, bytes_freed: r.bytes_freed, candidates: r.candidates ?? [], kept_pinned: kept.items };
    },
    'cas.verify': async () => ({ jobId: engine.cas.startVerify().id }),
    'cas.preview': async (input, { signal }) => previewObject(engine, input.digest, input.maxKb ?? 64, { signal }),
    'cas.tag': async (input, { signal }) => addCasTags(engine.cas, input.digest, input.tags, { signal }),
    'cas.check': async (input, { signal }) => engine.cas.store.check(input.digest, { signal }),
    'cas.saveAs': async (input, { signal }) => {
      if (host?.mode !== 'electron') throw new FoxError('UNSUPPORTED', 'browser mode saves through a download (cas.downloadLink), not a path on this machine');
      // The path comes from the user's own dialog in main, never from the renderer.
      const dest = (await host.pickSavePath?.(safeFileName(input.name) ?? `${input.digest.slice(7, 19)}.bin`)) ?? null;
      if (dest === null) return { saved: false, path: null, size_bytes: 0 };
      // A temp file beside dest, renamed over it only once the bytes hash to the digest.
      const r = await engine.cas.getToFile(input.digest, dest, { signal });
      return { saved: true, path: r.path, size_bytes: r.size_bytes };
    },
    'cas.downloadLink': async (input, { signal }) => {
      if (host?.mode === 'electron') throw new FoxError('UNSUPPORTED', 'the desktop app saves with a file dialog (cas.saveAs)');
      await engine.cas.head(input.digest, { signal });
      const name = safeFileName(input.name) ?? `${input.digest.slice(7, 19)}.bin`;
      return { url: `${HTTP.download}${downloadTicketsFor(engine).issue({ kind: 'cas', digest: input.digest, name })}` };
    },
  };
}

/** A file name a browser may save under: no path, no control characters; null when nothing is left. */
function safeFileName(name: string | undefined): string | null {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim();
  return clean === '' || clean === '.' || clean === '..' ? null : clean.slice(0, 200);
}
