import { FoxError } from '../errors.js';
import { DEFAULT_KIND } from './types.js';

const MAX_TAGS = 64;
const MAX_TAG_LENGTH = 256;
const MAX_KIND_LENGTH = 255;
// Control characters would break the one-line formats (CLI tables, NDJSON) that show them.
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Checks a kind (a media type such as `application/json`); undefined gives the default. */
export function normalizeKind(kind: unknown): string {
  if (kind === undefined || kind === null) return DEFAULT_KIND;
  if (typeof kind !== 'string') throw new FoxError('INVALID_INPUT', `invalid kind: expected a string, got ${typeof kind}`);
  const k = kind.trim();
  if (k.length === 0) throw new FoxError('INVALID_INPUT', 'invalid kind "": it must not be empty (omit it for application/octet-stream)');
  if (k.length > MAX_KIND_LENGTH) throw new FoxError('INVALID_INPUT', `invalid kind: longer than ${MAX_KIND_LENGTH} characters`);
  if (CONTROL_RE.test(k)) throw new FoxError('INVALID_INPUT', `invalid kind ${JSON.stringify(k)}: it contains control characters`);
  return k;
}

/** Checks tags and removes duplicates, keeping their order. */
export function normalizeTags(tags: unknown): string[] {
  if (tags === undefined || tags === null) return [];
  if (!Array.isArray(tags)) throw new FoxError('INVALID_INPUT', 'invalid tags: expected a list of strings');
  const out: string[] = [];
  for (const t of tags as unknown[]) {
    if (typeof t !== 'string') throw new FoxError('INVALID_INPUT', `invalid tag: expected a string, got ${typeof t}`);
    const tag = t.trim();
    if (tag.length === 0) throw new FoxError('INVALID_INPUT', 'invalid tag "": tags must not be empty');
    if (tag.length > MAX_TAG_LENGTH) throw new FoxError('INVALID_INPUT', `invalid tag: longer than ${MAX_TAG_LENGTH} characters`);
    if (CONTROL_RE.test(tag)) throw new FoxError('INVALID_INPUT', `invalid tag ${JSON.stringify(tag)}: it contains control characters`);
    if (!out.includes(tag)) out.push(tag);
  }
  if (out.length > MAX_TAGS) throw new FoxError('INVALID_INPUT', `too many tags (${out.length}); at most ${MAX_TAGS}`);
  return out;
}

/** The tags of an object put again: the old ones, then the new ones it did not have. */
export function mergeTags(existing: readonly string[], added: readonly string[]): string[] {
  const out = [...existing];
  for (const t of added) if (!out.includes(t)) out.push(t);
  return out;
}

/** Reads a stored tags value (JSON array, null or absent) leniently: files written by other tools. */
export function tagsFromStored(value: unknown): string[] {
  if (typeof value === 'string') {
    try {
      return tagsFromStored(JSON.parse(value) as unknown);
    } catch {
      return value.trim() ? [value.trim()] : [];
    }
  }
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}
