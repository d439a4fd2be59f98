// The current filter of the Events view as a `foxctl events ...` command that really runs:
// the option names are those of src-main/cli/commands/events.ts (a test runs what this builds).
import type { EventFilterInput } from '../../src-preload/contract';
import type { EventSort } from './sorts';

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

/** What the command line says besides the filter. */
export interface CliOptions {
  verb?: 'query' | 'count' | 'facets' | 'histogram' | 'export';
  db?: string | null;
  allStreams?: boolean;
  /** The table's sort (query and export). */
  sort?: EventSort;
  /** The export's format (verb export). */
  format?: 'ndjson' | 'csv' | 'json';
}

/** Quotes one word for a POSIX shell, only when it needs it. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@%+=,-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The arguments after `foxctl` that query what the filter shows (`count` to count it instead). */
export function eventsCliArgs(filter: EventFilterInput, opts: CliOptions = {}): string[] {
  const args = ['events', opts.verb ?? 'query'];
  if (opts.verb === 'export') args.push('--format', opts.format ?? 'ndjson');
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
  // Order matters to what query and export print; count, facets and histogram ignore it.
  if ((opts.verb ?? 'query') === 'query' || opts.verb === 'export') {
    if (opts.sort && !opts.sort.startsWith('-')) args.push('--asc');
    if (opts.sort?.endsWith('duration')) args.push('--sort', 'duration');
  }
  if (opts.verb === 'export') args.push('--output', `events.${opts.format ?? 'ndjson'}`);
  return args;
}

/** The whole command line, quoted for a shell. */
export function eventsCliCommand(filter: EventFilterInput, opts: CliOptions = {}): string {
  return ['foxctl', ...eventsCliArgs(filter, opts)].map(shellQuote).join(' ');
}
