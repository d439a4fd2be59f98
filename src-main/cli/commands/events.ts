import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { FoxError } from '../../engine/errors.js';
import { once } from 'node:events';
import { EXPORT_FORMATS, parseExportFormat } from '../../engine/events/export.js';
import type { EventFilter } from '../../engine/events/filter.js';
import type { EventInput, PersistMode } from '../../engine/events/model.js';
import type { EventRecord } from '../../engine/events/queries.js';
import type { SyncStatus } from '../../engine/events/sync-status.js';
import { readFrom } from '../../engine/events/tail.js';
import type { TraceNode } from '../../engine/events/trace-tree.js';
import { parseDuration } from '../../engine/util/duration.js';
import { action, intOption, type ActionContext } from '../context.js';
import { formatBytes, formatTable, okEnvelope } from '../output.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',').map((s) => s.trim()).filter(Boolean)];
const one = (xs: string[] | undefined): string | string[] | undefined => (xs === undefined ? undefined : xs.length === 1 ? xs[0] : xs);

/** The filter options shared by query, count, facets and histogram. */
function filterOptions(cmd: Command): Command {
  return cmd
    .option('--since <when>', 'from this time: RFC 3339, YYYY-MM-DD, or a duration back from now (1h, 7d)')
    .option('--until <when>', 'before this time (same forms as --since)')
    .option('--op <operation>', 'operation (repeat or comma-separate for several)', collect)
    .option('--status <status>', 'ok, error or canceled (repeatable)', collect)
    .option('--command <command>', 'command (repeatable)', collect)
    .option('--session <id>', 'session_id (repeatable)', collect)
    .option('--agent <id>', 'agent_id (repeatable)', collect)
    .option('--workspace <id>', 'workspace_id (repeatable)', collect)
    .option('--trace <id>', 'trace_id (repeatable)', collect)
    .option('--min-duration <ms>', 'only events at least this many ms long')
    .option('--text <words>', 'free text in name, message and error fields (every word, whole; word* for a prefix)')
    .option('--db <path>', 'read this events.db (read-only; foxcular_events or wide_events) instead of the home\'s');
}

function filterFrom(o: Record<string, unknown>): EventFilter {
  const f: EventFilter = {};
  if (o.since !== undefined) f.since = o.since as string;
  if (o.until !== undefined) f.until = o.until as string;
  const map: [string, keyof EventFilter][] = [['op', 'operation'], ['status', 'status'], ['command', 'command'], ['session', 'session_id'], ['agent', 'agent_id'], ['workspace', 'workspace_id'], ['trace', 'trace_id']];
  for (const [opt, field] of map) {
    const v = one(o[opt] as string[] | undefined);
    if (v !== undefined) (f as Record<string, unknown>)[field] = v;
  }
  const min = intOption(o.minDuration, '--min-duration');
  if (min !== undefined) f.min_duration_ms = min;
  if (typeof o.text === 'string') f.text = o.text;
  return f;
}

/** The --sort option: time or duration. */
function sortOption(v: unknown): 'time' | 'duration' {
  if (v === undefined || v === 'time') return 'time';
  if (v === 'duration') return 'duration';
  throw new FoxError('INVALID_INPUT', `--sort takes time or duration (got ${String(v)})`);
}

/** The query API to use: the home's events.db, or a file given with --db (read-only, closed after). */
async function withSource<T>(ctx: ActionContext, fn: (src: Pick<ReturnType<ActionContext['engine']>['events'], 'query' | 'count' | 'facets' | 'histogram' | 'trace' | 'export'>) => Promise<T>): Promise<T> {
  const db = ctx.opts.db;
  if (typeof db !== 'string') return fn(ctx.engine().events);
  const ro = ctx.engine().events.openReadonly(db);
  try {
    return await fn(ro);
  } finally {
    ro.close();
  }
}

function eventLine(r: Pick<EventRecord, 'ts' | 'status' | 'operation'> & { duration_ms?: number | null; command?: string | null; error_message?: string | null; data?: unknown; message?: string }): string[] {
  const data = r.data as { message?: unknown; command?: unknown } | undefined;
  const msg = r.error_message ?? r.message ?? (typeof data?.message === 'string' ? data.message : '');
  const cmd = r.command ?? (typeof data?.command === 'string' ? data.command : '');
  return [r.ts.replace('T', ' ').slice(0, 23), r.status, r.duration_ms === null || r.duration_ms === undefined ? '' : `${r.duration_ms}ms`, r.operation, cmd, msg.slice(0, 80)];
}

const EVENT_HEADERS = ['TS', 'STATUS', 'DURATION', 'OPERATION', 'COMMAND', 'MESSAGE'];

function statusText(s: SyncStatus): string {
  const lines = [
    `syncer        ${s.running ? `running (every ${s.interval_ms} ms)` : 'not running in this process'}${s.syncing ? ', syncing now' : ''}`,
    `last run      ${s.last_run ?? 'never'}`,
    `lag           ${formatBytes(s.lag_bytes)}, ${s.pending_lines}${s.pending_lines_exact ? '' : '+'} complete line(s) pending`,
    `synced        ${s.synced_total} row(s), ${s.rejected_total} rejected line(s)`,
    `batch         ${s.batch} rows per transaction`,
  ];
  if (s.last_error) lines.push(`last error    ${s.last_error.code}: ${s.last_error.message}`);
  lines.push('', formatTable(['FILE', 'SIZE', 'OFFSET', 'LAG', 'SYNCED', 'REJECTED', 'RESETS', 'BY'], s.files.map((f) => [f.file, f.exists ? formatBytes(f.size) : '(absent)', f.offset, formatBytes(f.lag_bytes), f.synced_total, f.rejected_total, f.resets, f.registered_by])));
  return lines.join('\n');
}

function treeText(nodes: TraceNode[], out: string[] = []): string[] {
  for (const n of nodes) {
    const e = n.event;
    const err = e.status === 'ok' ? '' : `  [${e.status}${e.error_message ? `: ${e.error_message}` : ''}]`;
    out.push(`${'  '.repeat(n.depth)}${e.operation}  ${e.duration_ms ?? 0}ms  ${e.ts}${err}`);
    treeText(n.children, out);
  }
  return out;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new FoxError('INVALID_INPUT', 'nothing to emit: pipe an event as JSON on stdin (echo \'{"operation":"x"}\' | foxctl events emit)');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses stdin as one JSON object, a JSON array, or NDJSON; errors name the line. */
function parseEventsInput(text: string): EventInput[] {
  const t = text.trim();
  if (t.length === 0) throw new FoxError('INVALID_INPUT', 'stdin is empty: expected a JSON event');
  try {
    const v = JSON.parse(t) as unknown;
    return (Array.isArray(v) ? v : [v]) as EventInput[];
  } catch {
    return t.split('\n').filter((l) => l.trim()).map((l, i) => {
      try {
        return JSON.parse(l) as EventInput;
      } catch (err) {
        throw new FoxError('INVALID_INPUT', `stdin line ${i + 1} is not JSON: ${(err as Error).message}`);
      }
    });
  }
}

async function follow(ctx: ActionContext, file: string, start: { offset: number; ino: number }, print: (line: string) => void): Promise<void> {
  let { offset, ino } = start;
  while (!ctx.signal.aborted) {
    const r = readFrom(file, offset);
    // Rotated (renamed and recreated) or truncated: start again at the top of the new file.
    if ((r.ino !== ino && r.ino !== -1) || r.size < offset) {
      ino = r.ino;
      offset = 0;
      continue;
    }
    for (const l of r.lines) print(l);
    offset = r.offset;
    await sleep(250, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}

/** `foxctl events ...`: emit, tail, query, facets, trace, sync, status, rejects, prune. */
export function registerEventsCommands(program: Command): void {
  const events = program.command('events').description('structured events: NDJSON streams, events.db, the syncer');

  events
    .command('emit')
    .description('emit events given as JSON on stdin (an object, an array, or NDJSON); ts, span_id and trace_id are filled in when missing')
    .option('--persist <mode>', 'default, ndjson, sql, hybrid or none', 'default')
    .option('--file <name>', 'stream name for the NDJSON modes (events/<name>.ndjson)')
    .action(
      action('foxctl.events.emit', async (ctx) => {
        const input = parseEventsInput(await readStdin());
        const file = ctx.opts.file as string | undefined;
        const evs = await ctx.engine().events.emitMany(input, { persist: ctx.opts.persist as PersistMode, ...(file ? { file } : {}), signal: ctx.signal });
        return { data: { emitted: evs.length, events: evs }, human: evs.map((e) => `${e.span_id}  ${e.operation}`).join('\n') };
      }),
    );

  events
    .command('tail')
    .description('print the last lines of an NDJSON stream; -f keeps printing new lines (follows rotation)')
    .option('-f, --follow', 'keep printing lines as they are appended, until Ctrl-C')
    .option('--file <name>', 'stream name (default foxcular_events)')
    .option('-n, --lines <n>', 'how many lines to print first', '20')
    .action(
      action('foxctl.events.tail', async (ctx) => {
        const svc = ctx.engine().events;
        const name = (ctx.opts.file as string | undefined) ?? 'foxcular_events';
        const file = svc.streamPath(name);
        const print = (line: string): void => {
          let ev: Record<string, unknown> | null = null;
          try {
            ev = JSON.parse(line) as Record<string, unknown>;
          } catch {
            ev = null;
          }
          if (ctx.json) process.stdout.write(`${JSON.stringify(okEnvelope('foxctl.events.tail', ev ?? { raw: line }, Date.now()))}\n`);
          else if (ev && typeof ev.ts === 'string' && typeof ev.operation === 'string') process.stdout.write(`${eventLine(ev as never).filter(Boolean).join('  ')}\n`);
          else process.stdout.write(`${line}\n`);
        };
        const n = intOption(ctx.opts.lines, '--lines') ?? 20;
        if (!fs.existsSync(file) && ctx.opts.follow !== true) throw new FoxError('NOT_FOUND', `no events stream ${file} yet`);
        const start = fs.existsSync(file) ? svc.tail(name, n) : { lines: [], offset: 0, ino: -1 };
        let printed = 0;
        const counted = (l: string): void => {
          printed++;
          print(l);
        };
        for (const l of start.lines) counted(l);
        // Ctrl-C ends a follow: that is its normal end, not a failure.
        if (ctx.opts.follow === true) await follow(ctx, file, start, counted);
        return { data: { file, printed }, human: '' };
      }),
    );

  filterOptions(events.command('query'))
    .description('list events of events.db, newest first, with keyset pages (--cursor from the previous page)')
    .option('--limit <n>', 'rows per page (1-1000)', '50')
    .option('--cursor <cursor>', 'the next_cursor of a previous page')
    .option('--asc', 'oldest first')
    .option('--sort <key>', 'time (default) or duration (longest first; with --asc shortest first)')
    .option('--all-streams', 'read every events/*.ndjson* file instead of events.db, rotations and .gz included (as the Go query does)')
    .action(
      action('foxctl.events.query', async (ctx) => {
        const limit = intOption(ctx.opts.limit, '--limit');
        const cursor = ctx.opts.cursor as string | undefined;
        if (ctx.opts.allStreams === true) {
          if (ctx.opts.asc === true || typeof ctx.opts.db === 'string') throw new FoxError('INVALID_INPUT', '--all-streams reads the NDJSON files newest first: it takes neither --asc nor --db');
          const page = await ctx.engine().events.streamEvents(filterFrom(ctx.opts), { limit, cursor: cursor ?? null, signal: ctx.signal });
          const bad = page.files.filter((f) => f.error).map((f) => `\nunreadable: ${f.file}: ${f.error}`).join('');
          return {
            data: page,
            human: () =>
              (page.rows.length === 0 ? 'no lines match' : [formatTable(['FILE', ...EVENT_HEADERS], page.rows.map((r) => [`${r.file}:${r.line}`, ...eventLine({ ...r, operation: r.operation ?? '', status: r.status ?? 'ok', message: r.message ?? undefined })])), page.next_cursor ? `\nmore: --all-streams --cursor ${page.next_cursor}` : ''].join('\n').trimEnd()) + bad,
          };
        }
        const page = await withSource(ctx, (src) => src.query(filterFrom(ctx.opts), { limit, cursor, order: ctx.opts.asc ? 'asc' : 'desc', sort: sortOption(ctx.opts.sort), signal: ctx.signal }));
        return {
          data: page,
          human: () =>
            page.rows.length === 0 ? 'no events match' : [formatTable(EVENT_HEADERS, page.rows.map(eventLine)), page.next_cursor ? `\nmore: --cursor ${page.next_cursor}` : ''].join('\n').trimEnd(),
        };
      }),
    );

  filterOptions(events.command('export'))
    .description(`write every event matching the filters (all pages) as ${EXPORT_FORMATS.join(', ')}: to stdout, or to a file with --output (written whole or not at all)`)
    .option('--format <format>', `${EXPORT_FORMATS.join(', ')}`, 'ndjson')
    .option('-o, --output <file>', 'write to this file (a temp file renamed once complete; progress on stderr) instead of stdout')
    .option('--asc', 'oldest first')
    .option('--sort <key>', 'time (default) or duration')
    .action(
      action('foxctl.events.export', async (ctx) => {
        const format = parseExportFormat(ctx.opts.format);
        const filter = filterFrom(ctx.opts);
        const order = ctx.opts.asc ? 'asc' : 'desc';
        const sort = sortOption(ctx.opts.sort);
        const output = ctx.opts.output;
        if (typeof output === 'string') {
          const events = ctx.engine().events;
          const db = ctx.opts.db;
          const source = typeof db === 'string' ? events.openReadonly(db) : undefined;
          try {
            const r = await ctx.waitJob(events.exportJob(filter, format, output, { order, sort, signal: ctx.signal, ...(source ? { source } : {}) }));
            return { data: r, human: `exported ${r.rows} event(s) to ${r.path} (${formatBytes(r.size_bytes)})` };
          } finally {
            source?.close();
          }
        }
        if (ctx.json) throw new FoxError('INVALID_INPUT', '--json prints an envelope on stdout, where the rows would go: give --output FILE');
        // Rows straight to stdout, waiting for the reader (a pipe into head ends the export quietly).
        let closed = false;
        process.stdout.once('error', () => (closed = true));
        const write = async (text: string): Promise<void> => {
          if (closed) throw new FoxError('CANCELED', 'stdout was closed');
          if (!process.stdout.write(text)) await once(process.stdout, 'drain', { signal: ctx.signal });
        };
        try {
          await withSource(ctx, (src) => src.export(filter, format, write, { order, sort, signal: ctx.signal }));
        } catch (err) {
          if (!closed) throw err;
        }
        return { data: null, human: '' };
      }),
    );

  filterOptions(events.command('count'))
    .description('count the events matching the filters')
    .action(action('foxctl.events.count', async (ctx) => {
      const n = await withSource(ctx, (src) => src.count(filterFrom(ctx.opts), { signal: ctx.signal }));
      return { data: { count: n }, human: String(n) };
    }));

  filterOptions(events.command('facets'))
    .description('top values with counts of operation, status and command (or --fields)')
    .option('--fields <list>', 'fields to count (comma-separated)', collect)
    .option('--top <n>', 'values per field', '10')
    .action(action('foxctl.events.facets', async (ctx) => {
      const fields = ctx.opts.fields as string[] | undefined;
      const facets = await withSource(ctx, (src) => src.facets(filterFrom(ctx.opts), { ...(fields ? { fields } : {}), top: intOption(ctx.opts.top, '--top'), signal: ctx.signal }));
      return { data: facets, human: () => facets.map((f) => `${f.field}\n${formatTable(['  VALUE', 'COUNT'], f.values.map((v) => [`  ${v.value ?? '(none)'}`, v.count]))}`).join('\n\n') };
    }));

  filterOptions(events.command('histogram'))
    .description('event and error counts per time bucket')
    .option('--buckets <n>', 'number of buckets', '24')
    .action(action('foxctl.events.histogram', async (ctx) => {
      const h = await withSource(ctx, (src) => src.histogram(filterFrom(ctx.opts), { buckets: intOption(ctx.opts.buckets, '--buckets'), signal: ctx.signal }));
      const max = Math.max(1, ...h.map((b) => b.count));
      return { data: h, human: () => h.map((b) => `${b.start.slice(0, 19)}  ${String(b.count).padStart(8)}  ${String(b.errors).padStart(6)} err  ${'#'.repeat(Math.round((b.count / max) * 40))}`).join('\n') };
    }));

  events
    .command('trace')
    .description('one trace as a tree of spans')
    .argument('<trace-id>')
    .option('--db <path>', 'read this events.db instead of the home\'s')
    .action(action('foxctl.events.trace', async (ctx, id: string) => {
      const t = await withSource(ctx, (src) => src.trace(id, { signal: ctx.signal }));
      return { data: t, human: () => [`trace ${t.trace_id}: ${t.spans} span(s), ${t.errors} error(s), ${t.duration_ms} ms${t.truncated ? ' (truncated)' : ''}`, ...treeText(t.roots)].join('\n') };
    }));

  events
    .command('sync')
    .description('copy NDJSON events into events.db: --now runs one pass (draining the backlog) and exits; without it the syncer runs until Ctrl-C')
    .option('--now', 'one pass now, with progress, then exit')
    .action(action('foxctl.events.sync', async (ctx) => {
      const svc = ctx.engine().events;
      if (ctx.opts.now === true) {
        const r = await ctx.waitJob(svc.syncJob({ signal: ctx.signal }));
        const resets = r.resets.map((x) => `\nreset ${x.file}: ${x.reason}`).join('');
        return { data: r, human: `synced ${r.inserted} new event(s) from ${r.files} file(s) (${formatBytes(r.bytes)}), ${r.duplicates} already present, ${r.rejected} rejected line(s) in ${r.duration_ms} ms${resets}` };
      }
      const off = svc.syncer.onStatus((s) => {
        if (!ctx.json && !s.syncing && s.last_result && s.last_result.bytes > 0) process.stderr.write(`${s.last_run}: synced ${s.last_result.inserted}, rejected ${s.last_result.rejected}\n`);
      });
      svc.syncer.start();
      process.stderr.write(`events syncer running every ${ctx.engine().config.eventsSyncIntervalMs} ms; Ctrl-C stops it\n`);
      await new Promise<void>((res) => ctx.signal.addEventListener('abort', () => res(), { once: true }));
      await svc.syncer.stop();
      off();
      const s = await svc.syncer.status();
      return { data: s, human: statusText(s) };
    }));

  events
    .command('status')
    .description('the syncer\'s state: lag, pending lines, totals, last run and error, per file')
    .action(action('foxctl.events.status', async (ctx) => {
      const s = await ctx.engine().events.syncer.status();
      return { data: s, human: statusText(s) };
    }));

  events
    .command('rejects')
    .description('lines the syncer could not ingest, newest first')
    .option('--limit <n>', 'how many', '20')
    .option('--file <name>', 'only this stream file (e.g. core.ndjson)')
    .action(action('foxctl.events.rejects', async (ctx) => {
      const file = ctx.opts.file as string | undefined;
      const page = await ctx.engine().events.rejects({ limit: intOption(ctx.opts.limit, '--limit'), ...(file ? { file } : {}), signal: ctx.signal });
      return { data: page, human: () => formatTable(['FILE', 'OFFSET', 'ERROR', 'EXCERPT'], page.rows.map((r) => [r.file, r.offset, r.error.slice(0, 60), r.excerpt.slice(0, 60)])) };
    }));

  events
    .command('streams')
    .description('the NDJSON streams in the events directory')
    .action(action('foxctl.events.streams', async (ctx) => {
      const s = ctx.engine().events.streams();
      return { data: s, human: () => formatTable(['FILE', 'SIZE', 'MODIFIED'], s.map((x) => [x.file, formatBytes(x.size), x.mtime])) };
    }));

  events
    .command('prune')
    .description('remove events older than a duration from events.db and the NDJSON streams (rewritten via temp + rename; unparseable lines kept)')
    .requiredOption('--older-than <duration>', 'age, e.g. 720h')
    .option('--dry-run', 'report what would be removed, change nothing')
    .action(action('foxctl.events.prune', async (ctx) => {
      const r = await ctx.engine().events.prune({ olderThanMs: parseDuration(String(ctx.opts.olderThan), '--older-than'), dryRun: ctx.opts.dryRun === true, signal: ctx.signal });
      const verb = r.dry_run ? 'would remove' : 'removed';
      return {
        data: r,
        human: [`${verb} ${r.rows_deleted} row(s) of events.db older than ${r.cutoff}`, ...r.files.map((f) => `${verb} ${f.lines_removed} line(s) of ${f.file} (${f.lines_kept} kept, ${formatBytes(f.bytes_before)} -> ${formatBytes(f.bytes_after)})`)].join('\n'),
      };
    }));
}
