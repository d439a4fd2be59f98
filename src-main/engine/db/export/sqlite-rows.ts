import { createRequire } from 'node:module';
import { canceled, FoxError, throwIfAborted, toFoxError } from '../../errors.js';
import { assertSqliteFile, sqliteNativeBinding } from '../sqlite.js';
import { READY_LINE } from '../query/child-source.js';
import { startQueryChild, type ChildReply } from '../query/query-host.js';
import { assertReadOnlyQuery } from '../query/run-query.js';
import type { ExportValue, RowStream } from './rows-format.js';

const requireHere = createRequire(import.meta.url);

/** A cell as the export child sends it (child-source.ts exportCell). */
type WireCell = null | string | number | { $i: string } | { $b: string } | { $r: string };

function decodeCell(c: WireCell): ExportValue {
  if (c === null || typeof c !== 'object') return c;
  if ('$i' in c) return BigInt(c.$i);
  if ('$b' in c) return Buffer.from(c.$b, 'base64');
  return Number(c.$r);
}

/** What the export child writes: the columns, pages of rows, then its answer. */
type ExportLine = { columns: string[] } | { rows: WireCell[][] } | ChildReply;

/**
 * Every row of one read-only statement on a SQLite file, whole, from a query child of its own
 * (the console's program and rules: a read-only connection, query_only, a statement that only
 * reads). The statement is prepared here first, so a write, a syntax error or a missing table
 * is refused before any row or file. The child's pages are read only as the sink takes them:
 * while the sink waits on its writer, the pipe fills and the child blocks. The signal SIGKILLs
 * the child (harmless: its connection is read-only).
 */
export function sqliteRowStream(file: string, sql: string, o: { subject: string; busyTimeoutMs?: number | undefined }): RowStream {
  return async (sink, opts) => {
    const { subject } = o;
    const busyTimeoutMs = o.busyTimeoutMs ?? 5000;
    throwIfAborted(opts.signal, 'export');
    if (sql.trim().length === 0) throw new FoxError('INVALID_INPUT', 'the SQL statement is empty', { subject });
    if (!assertSqliteFile(file, subject)) throw new FoxError('NOT_FOUND', `${file} does not exist`, { subject });
    assertReadOnlyQuery(file, sql, subject, busyTimeoutMs);
    const proc = startQueryChild();
    let stderr = '';
    proc.stderr.setEncoding('utf8');
    proc.stderr.on('data', (c: string) => {
      if (stderr.length < 4000) stderr += c;
    });
    proc.stdin.on('error', () => undefined); // a killed child's stdin errors: its exit reports it
    const exited = new Promise<string>((resolve) => {
      proc.on('exit', (code, signal) => resolve(signal ? `was killed by ${signal}` : `exited with status ${code}`));
      proc.on('error', (err) => resolve(`could not start (${err.message})`));
    });
    const onAbort = (): void => {
      proc.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const request = { export: true, module: requireHere.resolve('better-sqlite3'), nativeBinding: sqliteNativeBinding(), file, sql, busyTimeoutMs };
      proc.stdin.end(`${JSON.stringify(request)}\n`);
      proc.stdout.setEncoding('utf8');
      let pieces: string[] = [];
      let answer: ChildReply | null = null;
      const handle = async (line: string): Promise<void> => {
        if (line === READY_LINE || line.trim() === '') return;
        let msg: ExportLine;
        try {
          msg = JSON.parse(line) as ExportLine;
        } catch (err) {
          throw new FoxError('IO', `${subject}: unreadable answer from the query process`, { subject, cause: err });
        }
        if ('columns' in msg && Array.isArray(msg.columns) && !('ok' in msg)) await sink.columns(msg.columns);
        else if ('rows' in msg && !('ok' in msg)) await sink.rows((msg.rows as WireCell[][]).map((r) => r.map(decodeCell)));
        else answer = msg as ChildReply;
      };
      for await (const chunk of proc.stdout as AsyncIterable<string>) {
        // Lines are cut out of the new chunk only: a long line over many chunks is joined once.
        let from = 0;
        let nl = chunk.indexOf('\n');
        while (nl >= 0) {
          const line = pieces.length > 0 ? pieces.join('') + chunk.slice(from, nl) : chunk.slice(from, nl);
          pieces = [];
          await handle(line);
          from = nl + 1;
          nl = chunk.indexOf('\n', from);
        }
        if (from < chunk.length) pieces.push(chunk.slice(from));
        if (answer) break;
      }
      if (opts.signal?.aborted) throw canceled(opts.signal, 'export');
      const reply = answer as ChildReply | null;
      if (!reply) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        throw new FoxError('IO', `${subject}: the query process ${await exited}${tail ? `: ${tail}` : ''}`, { subject });
      }
      if (!reply.ok) {
        const message = reply.message ?? 'export failed';
        if (reply.fox) throw new FoxError(reply.fox, `${subject}: ${message}`, { subject });
        throw toFoxError(Object.assign(new Error(message), { code: reply.code }), subject, 'INVALID_INPUT');
      }
    } catch (err) {
      if (opts.signal?.aborted) throw canceled(opts.signal, 'export');
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    }
  };
}
