import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real PostgreSQL server for tests: `FOXCTL_TEST_POSTGRES_DSN` when set, else a throwaway
 * cluster started from the machine's binaries (`/usr/lib/postgresql/<v>/bin`) on a free port of
 * 127.0.0.1, run as user `postgres` when we are root (initdb refuses root), with a password so
 * that wrong-credential paths are real. One cluster serves a whole vitest run (global setup);
 * each test file takes its own database with `createTestDatabase`.
 */
export interface TestPostgres {
  /** DSN of the maintenance database (`postgres`) as the superuser, with its password. */
  dsn: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** Stops the cluster and removes its files (no-op for an external DSN). */
  stop(): Promise<void>;
}

/** Where the PostgreSQL binaries are, newest version first, or null. */
export function findPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  let versions: string[];
  try {
    versions = fs.readdirSync(root).filter((v) => /^\d+$/.test(v));
  } catch {
    return null;
  }
  versions.sort((a, b) => Number(b) - Number(a));
  for (const v of versions) {
    const bin = path.join(root, v, 'bin');
    if (fs.existsSync(path.join(bin, 'initdb')) && fs.existsSync(path.join(bin, 'pg_ctl'))) return bin;
  }
  return null;
}

/** Why no server can be had here, or null when one can. */
export function postgresUnavailableReason(): string | null {
  if (process.env.FOXCTL_TEST_POSTGRES_DSN) return null;
  if (!findPostgresBin()) return 'no PostgreSQL binaries under /usr/lib/postgresql/*/bin and FOXCTL_TEST_POSTGRES_DSN is unset';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) return 'running as root and there is no "postgres" user to run initdb as';
  return null;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Runs a PostgreSQL binary, as `postgres` when we are root. */
function runPg(bin: string, tool: string, args: string[]): void {
  const file = path.join(bin, tool);
  const asRoot = process.getuid?.() === 0;
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', file, ...args]] : [file, args];
  execFileSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
}

/** Starts (or adopts, from `FOXCTL_TEST_POSTGRES_DSN`) a server; throws with the reason if it cannot. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const external = process.env.FOXCTL_TEST_POSTGRES_DSN;
  if (external) {
    const u = new URL(external);
    return {
      dsn: external,
      host: u.hostname,
      port: Number(u.port || 5432),
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      stop: async () => {},
    };
  }
  const reason = postgresUnavailableReason();
  if (reason) throw new Error(reason);
  const bin = findPostgresBin() as string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-pg-'));
  const data = path.join(dir, 'data');
  const password = crypto.randomBytes(12).toString('hex');
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'postgres', dir]);
  const port = await freePort();
  runPg(bin, 'initdb', ['-D', data, '-U', 'postgres', `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-N', '-E', 'UTF8', '--locale=C']);
  const opts = [`-p ${port}`, `-k ${dir}`, "-c listen_addresses='127.0.0.1'", '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=200'].join(' ');
  runPg(bin, 'pg_ctl', ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const dsn = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  return {
    dsn,
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    stop: async () => {
      try {
        runPg(bin, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** The DSN with another database name. */
export function dsnWithDatabase(dsn: string, database: string): string {
  const u = new URL(dsn);
  u.pathname = `/${database}`;
  return u.toString();
}
