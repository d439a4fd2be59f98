// "Show CLI equivalent" of the CAS view: the `foxctl cas ...` command line of each action, so a
// person can script it or run it over SSH. Pure functions (the Backups view gets its lines from
// the handlers; these actions need no round trip).

/** What a CAS view action did, with what changes its command line. */
export type CasAction =
  | { action: 'put'; files: string[]; tags?: string[] }
  | { action: 'head' | 'pin' | 'unpin' | 'rm'; digest: string }
  | { action: 'tag'; digest: string; tags: string[] }
  | { action: 'save'; digest: string; file: string }
  | { action: 'gc'; olderThan: string; dryRun: boolean }
  | { action: 'verify' };

/** Quotes a shell word only when it needs it (POSIX single quotes, `'` escaped). */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9._\-/=:@+]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `foxctl cas ...` command line(s) of an action, one per line. */
export function casCliEquivalent(a: CasAction): string {
  const line = (...words: string[]): string => ['foxctl', 'cas', ...words].map(shellWord).join(' ');
  switch (a.action) {
    case 'put': {
      const tags = (a.tags ?? []).flatMap((t) => ['--tag', t]);
      // A file inside a dropped folder keeps its path as its name; the CLI names a FILE by its
      // own name unless told, so those lines say --name.
      const shown = a.files.slice(0, 20).map((f) => line('put', ...tags, ...(f.includes('/') ? ['--name', f] : []), f));
      if (a.files.length > shown.length) shown.push(`# ... and ${a.files.length - shown.length} more files`);
      return shown.join('\n');
    }
    case 'tag':
      return line('tag', a.digest, ...a.tags);
    case 'save':
      return line('get', a.digest, '-o', a.file);
    case 'gc':
      return line('gc', `--older-than=${a.olderThan}`, ...(a.dryRun ? ['--dry-run'] : []));
    case 'verify':
      return line('verify');
    default:
      return line(a.action, a.digest);
  }
}
