import type { CallName } from '../../src-preload/contract.js';
import { readArtifactInfo, type ArtifactInfo } from '../engine/cas/artifact.js';
import { casLocations, casPlaces } from '../engine/cas/locations.js';
import { startCasMigrate } from '../engine/cas/migrate.js';
import type { Engine } from '../engine/engine.js';
import { FoxError } from '../engine/errors.js';
import type { Handler } from './handlers.js';

type CasPlaceCall = 'cas.locations' | 'cas.merge' | 'cas.artifact';

/** Artifact summaries kept: an object never changes under its digest, so a cached one is never stale. */
const MAX_CACHED = 1000;

/** A shell word for the CLI line (a path with spaces or quotes in single quotes). */
function word(s: string): string {
  return /^[\w@%+=:,./~-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Handlers of the CAS view's places strip (where the objects are, merge) and of its artifacts. */
export function createCasPlaceHandlers(engine: Engine): { [N in CasPlaceCall & CallName]: Handler<N> } {
  const cache = new Map<string, ArtifactInfo>();
  return {
    'cas.locations': async (_input, { signal }) => casLocations(engine, { signal }),
    'cas.merge': async (input) => {
      // Only places of this home: the renderer never names an arbitrary directory or file to open or fill.
      const active = engine.cas.store.backend;
      const known = casPlaces(engine.config, { name: active.name, location: active.location }).map((p) => p.location);
      for (const [flag, v] of [['from', input.from], ['to', input.to]] as const) {
        if (!known.includes(v) && !(flag === 'to' && v === active.name)) throw new FoxError('INVALID_INPUT', `${flag} ${v} is not a CAS place of this home (cas.locations lists them)`);
      }
      const job = startCasMigrate(engine, input.to, { from: input.from });
      return { jobId: job.id, cli: `foxctl cas migrate --from ${word(input.from)} --to ${word(input.to)}` };
    },
    'cas.artifact': async (input, { signal }) => {
      const hit = cache.get(input.digest);
      if (hit) return hit;
      const info = await readArtifactInfo(engine.cas.store, input.digest, { signal });
      if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
      cache.set(input.digest, info);
      return info;
    },
  };
}
