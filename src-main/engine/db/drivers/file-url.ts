import { fileURLToPath } from 'node:url';

/**
 * The local path of a libSQL `file:` URL (`file:/abs`, `file:rel`, `file:///abs`, query dropped).
 * Kept apart from the turso driver so that callers that only look at a path do not load libSQL.
 */
export function localFileOfUrl(url: string): string {
  const rest = url.slice('file:'.length).replace(/\?.*$/, '');
  return rest.startsWith('//') ? fileURLToPath(`file:${rest}`) : decodeURIComponent(rest);
}
