import { FoxError } from '../errors.js';

/**
 * The names an object was put under, kept as tags `name:<path>` (`name:reports/q1.pdf`): the Go
 * foxctl stores, merges and lists tags without reading them, so a name costs it nothing and
 * survives every backend and a round trip through the Go CLI. Content put under two names keeps
 * both (tags merge on a re-put). The path is the one given — a file's name, or its path inside a
 * dropped or `put -r` folder — with `/` between folders.
 */
export const NAME_TAG_PREFIX = 'name:';

/** The longest tag the CAS takes (meta.ts), less the prefix. */
const MAX_NAME_LENGTH = 256 - NAME_TAG_PREFIX.length;

/** The tag that records `name`: folders joined with `/`, no leading `/` or `./`; INVALID_INPUT when empty or too long. */
export function nameTag(name: string): string {
  const clean = name
    .replace(/\\/g, '/')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/')
    .trim();
  if (clean === '') throw new FoxError('INVALID_INPUT', `invalid name ${JSON.stringify(name)}: it has no file name in it`);
  if (clean.length > MAX_NAME_LENGTH) throw new FoxError('INVALID_INPUT', `invalid name: longer than ${MAX_NAME_LENGTH} characters (${clean.slice(0, 40)}…)`);
  return `${NAME_TAG_PREFIX}${clean}`;
}

/** The names among an object's tags, in tag order. */
export function namesOf(tags: readonly string[]): string[] {
  return tags.filter((t) => t.startsWith(NAME_TAG_PREFIX) && t.length > NAME_TAG_PREFIX.length).map((t) => t.slice(NAME_TAG_PREFIX.length));
}

/** Put options with `name` turned into its tag beside the other tags. */
export function withNameTag<T extends { tags?: readonly string[] | undefined; name?: string | undefined }>(opts: T): Omit<T, 'name'> {
  const { name, ...rest } = opts;
  if (name === undefined) return rest;
  return { ...rest, tags: [...(rest.tags ?? []), nameTag(name)] };
}

/**
 * Whether an object matches a search box's text: a digest prefix (with or without `sha256:`) or,
 * case-insensitively, part of one of its names.
 */
export function matchesSearch(o: { digest: string; tags: readonly string[] }, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '') return true;
  const hex = t.startsWith('sha256:') ? t.slice(7) : t;
  if (/^[0-9a-f]+$/.test(hex) && o.digest.startsWith(`sha256:${hex}`)) return true;
  return namesOf(o.tags).some((n) => n.toLowerCase().includes(t));
}
