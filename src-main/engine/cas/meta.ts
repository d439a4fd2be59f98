import { FoxError } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
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

/**
 * Checks tags and returns them as the Go foxctl stores them: trimmed, without duplicates, sorted
 * (Go's `mergeTags` sorts with sort.Strings, i.e. by UTF-8 bytes).
 */
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
  return sortTags(out);
}

/** Sorts tags by their UTF-8 bytes, as Go's sort.Strings does (JS sort compares UTF-16 units). */
function sortTags(tags: string[]): string[] {
  return tags.sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));
}

/** The tags of an object put again, as Go's mergeTags gives them: the union, trimmed, non-empty, sorted. */
export function mergeTags(existing: readonly string[], added: readonly string[]): string[] {
  const set = new Set<string>();
  for (const t of [...existing, ...added]) {
    const tag = t.trim();
    if (tag) set.add(tag);
  }
  return sortTags([...set]);
}

/** The value of the sqlite `tags` column: NULL for no tags, as the Go foxctl binds it; JSON text otherwise. */
export function tagsColumn(tags: readonly string[]): string | null {
  return tags.length === 0 ? null : JSON.stringify(tags);
}

/**
 * The time gc counts an object's age from: the later of its first put (`created_at`, which the
 * Go gc uses) and its last put (`last_put_at`, ours), so a re-put gives the same grace window.
 */
export function gcTimeMs(o: { created_at: string; last_put_at?: string | null | undefined }): number {
  const created = parseRfc3339(o.created_at);
  const last = o.last_put_at ? parseRfc3339(o.last_put_at) : Number.NaN;
  return Number.isFinite(last) && !(last < created) ? last : created;
}

/**
 * Reads a stored tags value (JSON array, null or absent) leniently: files written by other tools.
 * The Go foxctl binds `json.Marshal` bytes, so a sqlite `tags` cell may be a BLOB of JSON text.
 */
export function tagsFromStored(value: unknown): string[] {
  if (value instanceof ArrayBuffer) return tagsFromStored(Buffer.from(value).toString('utf8'));
  if (ArrayBuffer.isView(value)) return tagsFromStored(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('utf8'));
  if (typeof value === 'string') {
    try {
      return tagsFromStored(JSON.parse(value) as unknown);
    } catch {
      return value.trim() ? [value.trim()] : [];
    }
  }
  return Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];
}
