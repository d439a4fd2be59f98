/**
 * The program a query child runs (`node -e`), as plain CommonJS so it needs no build step and
 * works the same from tsx, the bundled CLI and Electron (with ELECTRON_RUN_AS_NODE). It reads
 * JSON requests, one per line, on stdin; for each it opens the file read-only, refuses any
 * statement that is not a read-only query, closes the file, and writes one JSON line on stdout
 * (an export, `export: true`, writes its pages first: see runExport).
 * It serves requests one at a time and exits when stdin ends. The parent SIGKILLs it on timeout:
 * a single long sqlite3_step never returns to JS, so nothing inside this process could stop it.
 * It loads SQLite first ($FOXCTL_QUERY_MODULE, $FOXCTL_QUERY_NATIVE_BINDING) and then says it is
 * ready (READY_LINE), so a query's time limit counts the query, not the start of its process.
 */
export const QUERY_CHILD_SOURCE = String.raw`
'use strict';
// Load SQLite and its native addon before saying ready: the first query then runs at once.
try {
  const Database = require(process.env.FOXCTL_QUERY_MODULE);
  const nb = process.env.FOXCTL_QUERY_NATIVE_BINDING;
  new Database(':memory:', nb ? { nativeBinding: nb } : {}).close();
} catch (e) {
  // The first request reports it, with its own error.
}
process.stdout.write('{"ready":true}\n');
let pending = '';
process.stdin.setEncoding('utf8'); // decodes characters split across chunks
process.stdin.on('data', (c) => {
  pending += c;
  let nl;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const line = pending.slice(0, nl);
    pending = pending.slice(nl + 1);
    if (line.trim()) answer(line);
  }
});
process.stdin.on('end', () => {
  if (pending.trim()) answer(pending);
});

function answer(line) {
  let out;
  try {
    const req = JSON.parse(line);
    out = req.export ? runExport(req) : run(req);
  } catch (e) {
    out = { ok: false, code: e && e.foxCode ? undefined : e && e.code, fox: e && e.foxCode, message: String(e && e.message || e) };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

function refuse(message) {
  const e = new Error(message);
  e.foxCode = 'INVALID_INPUT';
  return e;
}

// A local libSQL file, through the libsql package (better-sqlite3's API without a read-only open):
// query_only refuses writes, only statements that return rows run, inside libSQL's read mode,
// rolled back. The file was checked to exist by the parent (libsql would create it).
function runLibsql(req) {
  const Database = require(req.module);
  const db = new Database(req.file, { timeout: req.busyTimeoutMs });
  try {
    db.exec('PRAGMA query_only = ON');
    db.exec('BEGIN TRANSACTION READONLY');
    const stmt = db.prepare(req.sql);
    if (!stmt.reader) {
      throw refuse('only read-only queries can run here (SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that only reads); this statement would write or change the database');
    }
    stmt.raw(true);
    stmt.safeIntegers(true);
    const columns = stmt.columns().map((c) => c.name);
    const rows = [];
    let truncated = false;
    for (const row of stmt.iterate(req.params === undefined ? [] : req.params)) {
      if (rows.length >= req.limit) {
        truncated = true;
        break;
      }
      rows.push(row.map(cell));
    }
    return { ok: true, columns, rows, truncated };
  } finally {
    try {
      db.exec('ROLLBACK');
    } catch (e) {
      // No transaction left to end.
    }
    db.close();
  }
}

function cell(v) {
  if (v instanceof ArrayBuffer) v = Buffer.from(v);
  else if (v instanceof Uint8Array && !Buffer.isBuffer(v)) v = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  }
  if (Buffer.isBuffer(v)) return { $blob: v.length, hex: v.subarray(0, 32).toString('hex') };
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

// A statement that only reads, prepared on a read-only connection, or the refusal saying why not.
function prepareRead(db, sql) {
  let stmt;
  try {
    stmt = db.prepare(sql);
  } catch (e) {
    if (e && e.name === 'RangeError') throw refuse('only one statement can run at a time: ' + e.message);
    if (e && e.name === 'TypeError') throw refuse(e.message);
    throw e;
  }
  if (!stmt.readonly || !stmt.reader) {
    throw refuse(
      'only read-only queries can run here (SELECT, WITH, VALUES, EXPLAIN or a PRAGMA that only reads); ' +
        (stmt.readonly
          ? 'this statement returns no rows (ATTACH, DETACH, BEGIN and PRAGMA settings are refused)'
          : 'this statement would write or change the database'),
    );
  }
  return stmt;
}

function openRead(req) {
  const Database = require(req.module);
  return new Database(req.file, {
    readonly: true,
    fileMustExist: true,
    timeout: req.busyTimeoutMs,
    ...(req.nativeBinding ? { nativeBinding: req.nativeBinding } : {}),
  });
}

// A cell of an export, whole: integers past 2^53 as {$i: digits}, BLOBs as {$b: base64}, an
// infinite REAL as {$r: text}; the rest as JSON carries it.
function exportCell(v) {
  if (typeof v === 'bigint') {
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : { $i: v.toString() };
  }
  if (Buffer.isBuffer(v)) return { $b: v.toString('base64') };
  if (typeof v === 'number' && !Number.isFinite(v)) return { $r: String(v) };
  return v;
}

// Rows of an export page, and the bytes of text past which a page is sent before it is full.
const EXPORT_PAGE_ROWS = 500;
const EXPORT_PAGE_BYTES = 1 << 20;

// An export: every row of one read-only statement (one snapshot: the statement's own read
// transaction), sent as {columns} then pages of {rows} of whole values, one JSON line each, then
// the usual answer with the count. Writes to a pipe are synchronous here, so a parent that stops
// reading holds this loop (and its memory) instead of letting it run ahead.
function runExport(req) {
  const db = openRead(req);
  try {
    db.pragma('query_only = ON');
    const stmt = prepareRead(db, req.sql);
    stmt.safeIntegers(true);
    stmt.raw(true);
    process.stdout.write(JSON.stringify({ columns: stmt.columns().map((c) => c.name) }) + '\n');
    let page = [];
    let bytes = 0;
    let rows = 0;
    for (const row of stmt.iterate()) {
      const out = new Array(row.length);
      for (let i = 0; i < row.length; i++) {
        const v = row[i];
        bytes += typeof v === 'string' ? v.length : Buffer.isBuffer(v) ? v.length * 2 : 8;
        out[i] = exportCell(v);
      }
      page.push(out);
      rows++;
      if (page.length >= EXPORT_PAGE_ROWS || bytes >= EXPORT_PAGE_BYTES) {
        process.stdout.write(JSON.stringify({ rows: page }) + '\n');
        page = [];
        bytes = 0;
      }
    }
    if (page.length > 0) process.stdout.write(JSON.stringify({ rows: page }) + '\n');
    return { ok: true, done: rows };
  } finally {
    db.close();
  }
}

function run(req) {
  if (req.engine === 'libsql') return runLibsql(req);
  const db = openRead(req);
  try {
    // Belt and braces: the connection is read-only, and query_only refuses writes to temp too.
    db.pragma('query_only = ON');
    const stmt = prepareRead(db, req.sql);
    stmt.safeIntegers(true);
    stmt.raw(true);
    const columns = stmt.columns().map((c) => c.name);
    const rows = [];
    let truncated = false;
    const params = req.params === undefined ? [] : [req.params];
    const t0 = process.hrtime.bigint();
    for (const row of stmt.iterate(...params)) {
      if (rows.length >= req.limit) {
        truncated = true;
        break;
      }
      rows.push(row.map(cell));
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    return { ok: true, columns, rows, truncated, query_ms: ms };
  } finally {
    db.close();
  }
}
`;

/** The first line a query child writes, once it runs. */
export const READY_LINE = '{"ready":true}';
