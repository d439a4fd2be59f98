import type { DriverReadTx } from '../drivers/types.js';

type ColumnRow = {
  name: string;
  type: string;
  notnull: boolean;
  def: string | null;
  identity: string;
  generated: string;
};

/** Quotes an identifier only where PostgreSQL needs it, as psql prints them. */
export function pgName(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * The CREATE TABLE of a PostgreSQL table rebuilt from the catalog, as `pg_dump` would write its
 * body: each column with its type (format_type), identity / generated clause, default and NOT
 * NULL, then every constraint (primary key, unique, foreign keys, checks) by pg_get_constraintdef.
 */
export async function pgTableDdl(tx: DriverReadTx, oid: number, name: string): Promise<string> {
  const cols = await tx.query<ColumnRow>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS notnull,
            pg_get_expr(d.adbin, d.adrelid) AS def, a.attidentity::text AS identity, a.attgenerated::text AS generated
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = ?::int8::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    [oid],
  );
  const cons = await tx.query<{ name: string; def: string }>(
    "SELECT conname AS name, pg_get_constraintdef(oid, true) AS def FROM pg_constraint WHERE conrelid = ?::int8::oid ORDER BY CASE contype WHEN 'p' THEN 0 WHEN 'u' THEN 1 WHEN 'f' THEN 2 ELSE 3 END, conname",
    [oid],
  );
  const lines = cols.map((c) => {
    let line = `  ${pgName(c.name)} ${c.type}`;
    if (c.identity === 'a' || c.identity === 'd') line += ` GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
    else if (c.generated === 's' && c.def !== null) line += ` GENERATED ALWAYS AS (${c.def}) STORED`;
    else if (c.def !== null) line += ` DEFAULT ${c.def}`;
    if (c.notnull) line += ' NOT NULL';
    return line;
  });
  for (const k of cons) lines.push(`  CONSTRAINT ${pgName(k.name)} ${k.def}`);
  return `CREATE TABLE ${pgName(name)} (\n${lines.join(',\n')}\n)`;
}
