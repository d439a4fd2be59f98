// Read-only inspection: a query through a warm child process against better-sqlite3 in-process
// (the anchor), and the time-bounded chunked row count against a plain count(*) (the anchor).
import path from 'node:path';
import Database from 'better-sqlite3';
import { dbTables } from '../src-main/engine/db/inspect/tables.js';
import { QueryHost } from '../src-main/engine/db/query/query-host.js';
import { runReadOnlyQuery } from '../src-main/engine/db/query/run-query.js';
import { figure, report, scratch, timed } from './lib.js';

const ROWS = 2_000_000;
const QUERIES = 50;
const s = scratch('db-inspect');
try {
  const file = path.join(s.dir, 'big.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)');
  db.prepare('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) INSERT INTO big SELECT i, hex(randomblob(16)) FROM n').run(ROWS);
  db.close();

  const host = new QueryHost();
  await runReadOnlyQuery(file, 'SELECT 1', { host }); // warm the child, as the GUI's host is after its first query
  const viaChild = await timed(async () => {
    for (let i = 1; i <= QUERIES; i++) await runReadOnlyQuery(file, 'SELECT id, v FROM big WHERE id = ?', { host, params: [i * 997] });
  });
  const inProcess = await timed(() => {
    for (let i = 1; i <= QUERIES; i++) {
      const d = new Database(file, { readonly: true });
      d.prepare('SELECT id, v FROM big WHERE id = ?').all(i * 997);
      d.close();
    }
  });
  host.close();
  report('point query, warm child (ms/query)', (viaChild.seconds * 1000) / QUERIES, (inProcess.seconds * 1000) / QUERIES, 'ms', {
    anchorName: 'in-process open+query+close',
    better: 'lower',
  });

  const target = { file, store: null, key: null, subject: file, busyTimeoutMs: 5000 };
  const raw = await timed(() => {
    const d = new Database(file, { readonly: true });
    d.prepare('SELECT count(*) FROM big').get();
    d.close();
  });
  const chunked = await timed(() => dbTables(target, { countBudgetMs: 600_000 }));
  report(`exact row count of ${ROWS / 1e6}M rows (s)`, chunked.seconds, raw.seconds, 's', { anchorName: 'count(*)', better: 'lower', goal: 2 });
  const bounded = await timed(() => dbTables(target, { countBudgetMs: 100 }));
  const t = bounded.value[0]!;
  figure(`bounded count, 100 ms budget (s) -> ${t.rows_exact ? '' : '>= '}${t.rows}`, bounded.seconds, 's');
} finally {
  s.cleanup();
}
