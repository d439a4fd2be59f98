// Test helper: another process that holds a store open the way a long-lived reader does.
import { spawn } from 'node:child_process';

const END = '--end-of-answer--';

/**
 * Starts the sqlite3 CLI on `file` (WAL, one read done, then idle with its connection open), so
 * restore's in-use rules see a real other process; `query` runs SQL on that same connection.
 */
export async function holdStoreOpen(file: string): Promise<{ pid: number; query(sql: string): Promise<string>; release(): Promise<void> }> {
  const child = spawn('/usr/bin/sqlite3', [file], { stdio: ['pipe', 'pipe', 'inherit'] });
  let buf = '';
  let waiting: ((answer: string) => void) | undefined;
  child.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const at = buf.indexOf(`${END}\n`);
    if (at < 0 || !waiting) return;
    const answer = buf.slice(0, at).trim();
    buf = buf.slice(at + END.length + 1);
    const w = waiting;
    waiting = undefined;
    w(answer);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const query = (sql: string): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      waiting = resolve;
      void exited.then(() => reject(new Error(`sqlite3 on ${file} exited before answering ${sql}`)));
      child.stdin.write(`${sql}\nSELECT '${END}';\n`);
    });
  await query('PRAGMA journal_mode=WAL; SELECT count(*) FROM accounts;');
  return {
    pid: child.pid!,
    query,
    release: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}
