// The current filter of the Events view as a `foxctl events ...` command that really runs:
// the option names are those of src-main/cli/commands/events.ts (a test runs what this builds).
import type { EventFilterInput } from '../../src-preload/contract';

/** Filter fields and the CLI option each one maps to (repeatable options take lists). */
const OPTIONS: [keyof EventFilterInput, string][] = [
  ['operation', '--op'],
  ['status', '--status'],
  ['command', '--command'],
  ['session_id', '--session'],
  ['agent_id', '--agent'],
  ['workspace_id', '--workspace'],
  ['trace_id', '--trace'],
];

/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The arguments after `foxctl` that query what the filter shows (`count` to count it instead). */
export function eventsCliArgs(filter: EventFilterInput, opts: { verb?: 'query' | 'count' | 'facets' | 'histogram'; db?: string | null; allStreams?: boolean } = {}): string[] {
  const args = ['events', opts.verb ?? 'query'];
  if (filter.since !== undefined) args.push('--since', String(filter.since));
  if (filter.until !== undefined) args.push('--until', String(filter.until));
  for (const [field, option] of OPTIONS) {
    const v = filter[field];
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) args.push(option, String(x));
  }
  if (filter.min_duration_ms !== undefined) args.push('--min-duration', String(filter.min_duration_ms));
  if (filter.text) args.push('--text', filter.text);
  if (opts.db) args.push('--db', opts.db);
  if (opts.allStreams) args.push('--all-streams');
  return args;
}

/** The whole command line, quoted for a shell. */
export function eventsCliCommand(filter: EventFilterInput, opts: { verb?: 'query' | 'count' | 'facets' | 'histogram'; db?: string | null; allStreams?: boolean } = {}): string {
  return ['foxctl', ...eventsCliArgs(filter, opts)].map(shellQuote).join(' ');
}
