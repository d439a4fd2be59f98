import { throwIfAborted, type OpOptions } from '../../errors.js';
import { withReadOnly } from './read.js';
import type { DbTarget } from './target.js';

/** One schema object and the statement that creates it. */
export interface SchemaObject {
  type: 'table' | 'index' | 'view' | 'trigger';
  name: string;
  /** The table an index or trigger belongs to. */
  table: string;
  sql: string;
}

/** The CREATE statements of a database, tables first, each followed by its indexes and triggers. */
export async function dbSchema(target: DbTarget, opts: OpOptions = {}): Promise<SchemaObject[]> {
  throwIfAborted(opts.signal, 'db schema');
  return withReadOnly(
    target,
    (db) =>
      db
        .prepare(
          `SELECT type, name, tbl_name AS "table", sql FROM sqlite_schema
           WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
           ORDER BY CASE type WHEN 'view' THEN 1 ELSE 0 END, tbl_name,
                    CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, name`,
        )
        .all() as SchemaObject[],
  );
}
