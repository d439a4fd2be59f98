import type { OpOptions } from '../errors.js';
import { FoxError } from '../errors.js';
import type { CasService } from './service.js';
import type { CasObject } from './types.js';

/**
 * Adds tags to an object. Backends merge tags when the same content is put again (FORMATS.md),
 * so this puts the object's own bytes again, read through the verifying stream: every backend
 * gets it with no new write path, a corrupt object is refused with CORRUPT before its metadata
 * changes, and the kind and the pin stay as they are. Like any put, it keeps created_at and
 * refreshes last_put_at.
 */
export async function addCasTags(cas: CasService, digest: string, tags: readonly string[], opts: OpOptions = {}): Promise<CasObject> {
  const clean = [...new Set(tags.map((t) => t.trim()))];
  if (clean.length === 0 || clean.some((t) => t === '' || t.includes(','))) {
    throw new FoxError('INVALID_INPUT', `tags must be non-empty and have no comma (got ${JSON.stringify(tags)})`);
  }
  const before = await cas.head(digest, opts);
  if (clean.every((t) => before.tags.includes(t))) return before;
  const got = await cas.get(digest, opts);
  await cas.put(got.stream, { kind: before.kind, tags: clean, signal: opts.signal });
  return cas.head(digest, opts);
}
