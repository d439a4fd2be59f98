import type { CallName, DbCell } from '../../src-preload/contract.js';
import type { TargetOptions } from '../engine/db/inspect/inspector.js';
import type { QueryCell, QueryResult } from '../engine/db/query/run-query.js';
import type { Engine } from '../engine/engine.js';
import { lookupStore } from '../engine/registry/stores.js';
import { formatDuration } from '../engine/util/duration.js';
import type { Handler } from './handlers.js';

/** The Stores view's read-only inspection calls. */
type InspectCall = 'db.info' | 'db.tables' | 'db.schema' | 'db.browse' | 'db.query' | 'db.check';

/** Text cells longer than this cross the bridge as their length and this many first characters. */
export const TEXT_HEAD_CHARS = 4096;

/** Rows a console query returns by default, and its default time limit. */
export const CONSOLE_DEFAULT_LIMIT = 500;
const CONSOLE_DEFAULT_TIMEOUT_MS = 5000;

/** Time the table list spends counting rows before it shows lower bounds ("≥ N"). */
const COUNT_BUDGET_MS = 1500;

/** A store as the handlers receive it: a registry name and an optional key. */
interface StoreRef {
  store: string;
  key?: string | undefined;
}

/**
 * The inspector's target for a store of the registry. The name is looked up first, so a name
 * that is no store fails NOT_FOUND here instead of being taken for a file in the server's
 * directory (the renderer names stores, never paths).
 */
function target(ref: StoreRef): { name: string; opts: TargetOptions } {
  const def = lookupStore(ref.store);
  return { name: def.name, opts: ref.key === undefined ? {} : { key: ref.key } };
}

/** A cell made small enough for the bridge: long text becomes its length and head. */
export function bridgeCell(v: QueryCell): DbCell {
  if (typeof v === 'string' && v.length > TEXT_HEAD_CHARS) return { $text: v.length, head: v.slice(0, TEXT_HEAD_CHARS) };
  return v;
}

function bridgeRows(r: QueryResult): { columns: string[]; rows: DbCell[][]; truncated: boolean; duration_ms: number } {
  return { columns: r.columns, rows: r.rows.map((row) => row.map(bridgeCell)), truncated: r.truncated, duration_ms: r.duration_ms };
}

/** A POSIX shell word: bare when safe, single-quoted otherwise. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `foxctl db <cmd> STORE [--key K]` prefix of a CLI equivalent. */
function cliTarget(cmd: string, ref: StoreRef, name: string): string {
  return `foxctl db ${cmd} ${name}${ref.key === undefined ? '' : ` --key ${shellWord(ref.key)}`}`;
}

/** Handlers of the Stores view's db.* calls; every one goes through engine.inspect (read-only opens). */
export function createInspectHandlers(engine: Engine): { [N in InspectCall & CallName]: Handler<N> } {
  return {
    'db.info': async (input, { signal }) => {
      const { name, opts } = target(input);
      const info = await engine.inspect.info(name, { ...opts, signal });
      return { ...info, cli: `${cliTarget('info', input, name)}\n${cliTarget('tables', input, name)}\n${cliTarget('schema', input, name)}` };
    },
    'db.tables': async (input, { signal }) => {
      const { name, opts } = target(input);
      return engine.inspect.tables(name, { ...opts, countBudgetMs: input.countBudgetMs ?? COUNT_BUDGET_MS, signal });
    },
    'db.schema': async (input, { signal }) => {
      const { name, opts } = target(input);
      return engine.inspect.schema(name, { ...opts, signal });
    },
    'db.browse': async (input, { signal }) => {
      const { name, opts } = target(input);
      const filter = { ...(input.sort ? { sort: input.sort } : {}), ...(input.where !== undefined ? { where: input.where } : {}) };
      const res = await engine.inspect.browse(name, input.table, { ...opts, ...filter, offset: input.offset, limit: input.limit, signal });
      return { ...bridgeRows(res), offset: input.offset, ...(res.sql !== undefined ? { sql: res.sql } : {}) };
    },
    'db.query': async (input, { signal }) => {
      const { name, opts } = target(input);
      const limit = input.limit ?? CONSOLE_DEFAULT_LIMIT;
      const timeoutMs = input.timeoutMs ?? CONSOLE_DEFAULT_TIMEOUT_MS;
      const res = await engine.inspect.query(name, input.sql, { ...opts, limit, timeoutMs, signal });
      const cli = `${cliTarget('query', input, name)} ${shellWord(input.sql)} --limit ${limit} --timeout ${timeoutMs % 1000 === 0 ? formatDuration(timeoutMs) : `${timeoutMs}ms`}`;
      return { ...bridgeRows(res), limit, timeout_ms: timeoutMs, cli };
    },
    'db.check': async (input, { signal }) => {
      const { name, opts } = target(input);
      // No time limit: a check of a big file may take minutes; the request's Cancel stops it.
      const res = await engine.inspect.check(name, { ...opts, quick: input.quick === true, signal });
      return { ...res, cli: `${cliTarget('check', input, name)}${input.quick ? ' --quick' : ''}` };
    },
  };
}
