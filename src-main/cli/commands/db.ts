import { once } from 'node:events';
import type { Command } from 'commander';
import { exportToFileJob } from '../../engine/db/export/export-file.js';
import { parseRowsExportFormat, ROWS_EXPORT_FORMATS } from '../../engine/db/export/rows-format.js';
import type { ExportWhat, TargetOptions } from '../../engine/db/inspect/inspector.js';
import { FoxError } from '../../engine/errors.js';
import type { QueryCell, QueryResult } from '../../engine/db/query/run-query.js';
import { parseDuration } from '../../engine/util/duration.js';
import { action, intOption, type ActionContext } from '../context.js';
import { registerDbTestCommand } from './db-test.js';
import { registerDbMigrateCommand } from './db-migrate.js';
import { EXIT_CODES, formatBytes, formatTable } from '../output.js';

const TARGET_HELP = 'a store name (MEMORY, events, ...; read through its driver: sqlite, turso, libsql or postgres) or a path to any SQLite file';

/** The --repo / --key options shared by every db command. */
function targetOpts(ctx: ActionContext): TargetOptions {
  const o: TargetOptions = {};
  if (typeof ctx.opts.repo === 'string') o.repo = ctx.opts.repo;
  if (typeof ctx.opts.key === 'string') o.key = ctx.opts.key;
  return o;
}

function withTarget(cmd: Command): Command {
  return cmd
    .argument('<store-or-path>', TARGET_HELP)
    .option('--repo <dir>', 'REPOINDEX: the repository root whose index to open')
    .option('--key <key>', 'REPOINDEX / OBSIDIANINDEX: the key of the database (see foxctl stores list)');
}

/** Commander's reducer for a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** A cell as people read it in a table: NULL, numbers, BLOB sizes, long text cut. */
export function humanCell(v: QueryCell): string {
  if (v === null) return 'NULL';
  if (typeof v === 'object') return `<blob ${formatBytes(v.$blob)}>`;
  const s = String(v).replace(/\s+/g, ' ');
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** A query result as a table with a footer. */
export function renderQuery(res: QueryResult, limit: number): string {
  const table = res.columns.length ? formatTable(res.columns, res.rows.map((r) => r.map(humanCell))) : '';
  const n = res.rows.length;
  const foot = `${n} row${n === 1 ? '' : 's'}${res.truncated ? ` (stopped at the limit of ${limit}: raise it with --limit)` : ''} in ${res.duration_ms} ms`;
  return table ? `${table}\n\n${foot}` : foot;
}

const HELP_AFTER = `
Every command reads through a read-only connection: it never changes the file and never
blocks a writer. STORE-OR-PATH is a store name (any case) or the path of any SQLite file.
A store on turso, libsql or postgres is read through its driver: on PostgreSQL in a
READ ONLY transaction with a statement timeout, the schema rebuilt from the catalog, and
check runs amcheck's bt_index_check where the extension is installed (exit status 16,
"not checked", where it is not).

Examples:
  foxctl db info memory
  foxctl db tables events
  foxctl db schema ~/.foxctl/storage/tasks.db
  foxctl db query events "SELECT operation, count(*) FROM foxcular_events GROUP BY 1" --limit 20
  foxctl db query repoindex --repo . "SELECT kind, count(*) FROM nodes GROUP BY kind"
  foxctl db query tasks "SELECT id, title FROM tasks WHERE status = ?" -p pending
  foxctl db check companion --quick
  foxctl db export memory named_memory --where "kind = 'note'" --sort updated_at --desc > notes.csv
  foxctl db export events --sql "SELECT * FROM foxcular_events WHERE status = 'error'" --format json -o errors.json
  foxctl db test memory         (connect through the store's driver: latency, version)
  foxctl stores list            (every store, its file and schema version)`;

/** `foxctl db info|tables|schema|query|check`: read-only inspection of stores and SQLite files. */
export function registerDbCommands(program: Command): void {
  const db = program
    .command('db')
    .description('inspect a store or any SQLite file: info, tables, schema, read-only queries, integrity check')
    .addHelpText('after', HELP_AFTER);

  registerDbTestCommand(db);

  withTarget(db.command('info').description('size (with -wal), pages, journal mode, schema version, object counts')).action(
    action('foxctl.db.info', async (ctx, target: string) => {
      const info = await ctx.engine().inspect.info(target, { ...targetOpts(ctx), signal: ctx.signal });
      const file = info.driver === 'sqlite';
      const rows: [string, string | number | null][] = [
        ['path', file ? info.path : null],
        ['driver', file ? null : info.driver],
        ['location', file ? null : info.path],
        ['store', info.store ? `${info.store} (${info.class})${info.key ? ` key ${info.key}` : ''}` : null],
        ['size', `${formatBytes(info.size_bytes)}${info.wal_bytes ? ` (wal ${formatBytes(info.wal_bytes)})` : ''}${info.driver === 'postgres' ? ' (the schema\'s tables and indexes, from the server)' : ''}`],
        ['pages', info.driver === 'postgres' ? null : `${info.page_count} x ${info.page_size} B, ${info.freelist_count} free`],
        ['journal mode', info.journal_mode === 'n/a' ? null : info.journal_mode],
        ['encoding', info.encoding],
        ['schema version', info.schema_version ?? 'none (no schema_migrations)'],
        ['index schema', info.index_schema_version],
        ['user_version', info.driver === 'postgres' ? null : info.user_version],
        ['objects', `${info.tables} tables, ${info.indexes} indexes, ${info.views} views, ${info.triggers} triggers`],
        [file ? 'sqlite' : 'server', file ? info.sqlite_version : info.server_version],
      ];
      return { data: info, human: rows.filter(([, v]) => v !== null).map(([k, v]) => `${k.padEnd(15)}${v}`).join('\n') };
    }),
  );

  withTarget(db.command('tables').description('tables with their row counts (counting stops after a time budget and shows ≥ N)'))
    .option('--count-budget <duration>', 'time to spend counting rows before counts become lower bounds', '2s')
    .action(
      action('foxctl.db.tables', async (ctx, target: string) => {
        const countBudgetMs = parseDuration(String(ctx.opts.countBudget), '--count-budget');
        const tables = await ctx.engine().inspect.tables(target, { ...targetOpts(ctx), countBudgetMs, signal: ctx.signal });
        const count = (t: (typeof tables)[number]): string =>
          t.rows === null ? '-' : `${t.rows_exact ? '' : '≥ '}${t.rows.toLocaleString('en-US')}`;
        return {
          data: { tables },
          human: () =>
            tables.length === 0
              ? 'no tables'
              : formatTable(['TABLE', 'TYPE', 'COLUMNS', 'ROWS'], tables.map((t) => [t.name, t.without_rowid ? 'table (without rowid)' : t.type, t.columns, count(t)])),
        };
      }),
    );

  withTarget(db.command('schema').description('the CREATE statements of tables, indexes, views and triggers')).action(
    action('foxctl.db.schema', async (ctx, target: string) => {
      const objects = await ctx.engine().inspect.schema(target, { ...targetOpts(ctx), signal: ctx.signal });
      return { data: { objects }, human: () => (objects.length ? objects.map((o) => `${o.sql.trim()};`).join('\n\n') : '-- no schema objects') };
    }),
  );

  withTarget(db.command('query').description('run one read-only SQL statement (writes, ATTACH and PRAGMA settings are refused)'))
    .argument('<sql>', 'one SELECT / WITH / VALUES / EXPLAIN / read-only PRAGMA statement')
    .option('--limit <n>', 'stop after this many rows', '100')
    .option('--timeout <duration>', 'interrupt the query after this long (0 = no limit)', '5s')
    .option('-p, --param <value>', 'a value for the next ? of the SQL (repeat for each; compared with column affinity)', collect, [])
    .action(
      action('foxctl.db.query', async (ctx, target: string, sql: string) => {
        const limit = intOption(ctx.opts.limit, '--limit') ?? 100;
        const timeoutMs = parseDuration(String(ctx.opts.timeout), '--timeout');
        const params = ctx.opts.param as string[];
        const res = await ctx.engine().inspect.query(target, sql, {
          ...targetOpts(ctx),
          limit,
          timeoutMs,
          signal: ctx.signal,
          ...(params.length ? { params } : {}),
          // In this process: a query child would cost more than most queries. With no time
          // limit it runs in a child, so that Ctrl-C can still stop it mid-statement.
          ...(timeoutMs > 0 ? { inProcess: { onTimeout: ctx.lastWords } } : {}),
        });
        return { data: res, human: () => renderQuery(res, limit) };
      }),
    );

  withTarget(db.command('export').description(`write every row of a table (in --sort / --where) or of a --sql query as ${ROWS_EXPORT_FORMATS.join(' or ')}: to stdout, or to --output FILE (written whole or not at all)`))
    .argument('[table]', 'the table or view to export (or give --sql)')
    .option('--sql <statement>', 'export the whole result of one read-only statement instead of a table')
    .option('--where <expr>', 'only the rows matching this SQL expression (what follows WHERE)')
    .option('--sort <column>', 'in the order of this column (NULLs first; the table order breaks ties)')
    .option('--desc', 'with --sort: descending (NULLs last)')
    .option('--format <format>', ROWS_EXPORT_FORMATS.join(', '), 'csv')
    .option('-o, --output <file>', 'write to this file (a temp file beside it, renamed once complete; progress on stderr) instead of stdout')
    .addHelpText(
      'after',
      `
Values are whole (not the previews of db query): CSV is RFC 4180 with a header row, NULL an
empty field and '' a quoted "", BLOBs hex. JSON is one array of objects; a repeated column name
becomes name_2, name_3; integers past 2^53 are strings of their exact digits, BLOBs
{"$base64": "..."}. Ctrl-C stops the export and leaves no --output file.`,
    )
    .action(
      action('foxctl.db.export', async (ctx, target: string, table: string | undefined) => {
        const format = parseRowsExportFormat(ctx.opts.format);
        const sql = typeof ctx.opts.sql === 'string' ? ctx.opts.sql : undefined;
        if ((sql === undefined) === (table === undefined)) throw new FoxError('INVALID_INPUT', 'give a TABLE to export or --sql "SELECT ...", not both');
        if (sql !== undefined && (ctx.opts.where !== undefined || ctx.opts.sort !== undefined)) throw new FoxError('INVALID_INPUT', '--where and --sort apply to a TABLE; write them into the --sql statement');
        if (ctx.opts.desc && ctx.opts.sort === undefined) throw new FoxError('INVALID_INPUT', '--desc needs --sort COLUMN');
        const what: ExportWhat =
          sql !== undefined
            ? { sql }
            : {
                table: table as string,
                ...(typeof ctx.opts.where === 'string' ? { where: ctx.opts.where } : {}),
                ...(typeof ctx.opts.sort === 'string' ? { sort: { column: ctx.opts.sort, desc: ctx.opts.desc === true } } : {}),
              };
        const engine = ctx.engine();
        const plan = await engine.inspect.planExport(target, what, { ...targetOpts(ctx), signal: ctx.signal });
        const output = ctx.opts.output;
        if (typeof output === 'string') {
          const r = await ctx.waitJob(exportToFileJob(engine.jobs, plan, format, output, { signal: ctx.signal }));
          return { data: { ...r, format, sql: plan.sql }, human: `exported ${r.rows} row(s) to ${r.path} (${formatBytes(r.size_bytes)})` };
        }
        if (ctx.json) throw new FoxError('INVALID_INPUT', '--json prints an envelope on stdout, where the rows would go: give --output FILE');
        // Rows straight to stdout, waiting for the reader (a pipe into head ends the export quietly).
        let closed = false;
        process.stdout.once('error', () => (closed = true));
        const write = async (text: string): Promise<void> => {
          if (closed) throw new FoxError('CANCELED', 'stdout was closed');
          if (!process.stdout.write(text)) await once(process.stdout, 'drain', { signal: ctx.signal });
        };
        const tty = process.stderr.isTTY;
        let shown = 0;
        const onProgress = (n: number): void => {
          const now = Date.now();
          if (tty && now - shown >= 200) {
            shown = now;
            process.stderr.write(`\r\x1b[2Kexporting: ${n.toLocaleString('en-US')} rows`);
          }
        };
        try {
          await plan.run(format, write, { signal: ctx.signal, onProgress });
        } catch (err) {
          if (!closed) throw err;
        } finally {
          if (tty && shown > 0) process.stderr.write('\r\x1b[2K');
        }
        return { data: null, human: '' };
      }),
    );

  withTarget(db.command('check').description('PRAGMA integrity_check; amcheck on PostgreSQL (exit status 12 when problems are found, 16 when the server offers no check)'))
    .option('--quick', 'PRAGMA quick_check: faster, skips index cross-checks')
    .option('--max-errors <n>', 'stop after this many problems', '100')
    .option('--timeout <duration>', 'interrupt the check after this long (default: no limit)', '0')
    .action(
      action('foxctl.db.check', async (ctx, target: string) => {
        const res = await ctx.engine().inspect.check(target, {
          ...targetOpts(ctx),
          quick: ctx.opts.quick === true,
          maxErrors: intOption(ctx.opts.maxErrors, '--max-errors') ?? 100,
          timeoutMs: parseDuration(String(ctx.opts.timeout), '--timeout'),
          signal: ctx.signal,
        });
        if (!res.available) {
          // Neither a clean bill nor a failure to run: its own exit status, so scripts cannot take it for "ok".
          return { data: res, human: `not checked: ${res.note ?? 'this server offers no integrity check'} (${res.path})`, exitCode: EXIT_CODES.UNSUPPORTED };
        }
        const human = res.ok
          ? `ok: ${res.mode} found no problems in ${res.path} (${res.note ? `${res.note}, ` : ''}${res.duration_ms} ms)`
          : [`${res.problems.length} problem(s) found by ${res.mode} in ${res.path}:`, ...res.problems.map((p) => `  ${p}`)].join('\n');
        return { data: res, human, ...(res.ok ? {} : { exitCode: EXIT_CODES.CORRUPT }) };
      }),
    );

  registerDbMigrateCommand(db);
}
