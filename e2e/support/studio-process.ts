import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** The project root (e2e/support -> ..). */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');

/** The built CLI that serves browser mode. */
export const CLI = path.join(ROOT, 'out', 'cli', 'foxctl.mjs');

/** A running `foxctl studio`. */
export interface StudioProcess {
  url: string;
  origin: string;
  token: string;
  port: number;
  /** Everything it wrote on stderr so far (for failure messages). */
  stderr(): string;
  /** SIGTERM, and SIGKILL if it has not exited within 5 s; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/** Starts `foxctl studio --port 0 --no-open --json` on a home and waits for its URL. */
export async function startStudio(home: string): Promise<StudioProcess> {
  const child: ChildProcess = spawn(process.execPath, [CLI, '--json', 'studio', '--port', '0', '--no-open'], {
    cwd: ROOT,
    env: { ...process.env, FOXCTL_HOME: home, HOME: path.dirname(home) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`foxctl studio printed no URL within 20 s; stderr:\n${err}`)), 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { data?: { url?: string; state?: string } };
        if (msg.data?.state === 'listening' && msg.data.url) {
          clearTimeout(timer);
          resolve(msg.data.url);
        }
      } catch {
        // Not an envelope line.
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`foxctl studio exited (${code}) before listening; stderr:\n${err}`));
    });
  });
  const parsed = new URL(url);
  return {
    url,
    origin: parsed.origin,
    token: parsed.hash.replace(/^#token=/, ''),
    port: Number(parsed.port),
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
