// Row counts of a database's tables, as rehearse compares them and a restore's dry run shows them.
import fs from 'node:fs';
import { openSqlite, quoteIdent } from '../db/sqlite.js';

/** Row count of every user table of a database; undefined when the file is absent or unreadable. */
export function tableCounts(file: string): Map<string, number> | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    const db = openSqlite(file, { readonly: true, subject: file });
    try {
      const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      return new Map(names.map((n) => [n, (db.prepare(`SELECT count(*) AS c FROM ${quoteIdent(n)}`).get() as { c: number }).c]));
    } finally {
      db.close();
    }
  } catch {
    return undefined;
  }
}

/** The rows of every user table of a database together, or null when it cannot be read. */
export function totalRows(file: string): number | null {
  const counts = tableCounts(file);
  return counts === undefined ? null : [...counts.values()].reduce((a, b) => a + b, 0);
}
