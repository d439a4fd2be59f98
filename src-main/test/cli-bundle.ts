// The CLI as it ships, for tests that run it as a real process: bundled once per test file like
// scripts/build-cli.mjs (dependencies external), under node_modules/.cache so that its imports
// resolve to the project's node_modules. Spawning `node --import tsx` per run costs seconds of
// transform each on a shared CPU.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The project root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A built CLI bundle and how to remove it. */
export interface CliBundle {
  file: string;
  remove(): void;
}

/** Bundles src-main/cli/index.ts into a temp folder (entry `file`, chunks beside it) (call in beforeAll; remove in afterAll). */
export async function buildCliBundle(): Promise<CliBundle> {
  const cache = path.join(REPO_ROOT, 'node_modules', '.cache');
  fs.mkdirSync(cache, { recursive: true });
  const dir = fs.mkdtempSync(path.join(cache, 'foxctl-cli-test-'));
  const file = path.join(dir, 'foxctl.mjs');
  // Split at the dynamic imports, as scripts/build-cli.mjs does: commands load what they use.
  await build({
    entryPoints: { foxctl: path.join(REPO_ROOT, 'src-main', 'cli', 'index.ts') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return { file, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A `foxctl studio` process on a home, and a caller of its bridge over HTTP. */
export interface StudioUnderTest {
  port: number;
  /** POSTs one contract call; resolves with the parsed `{ ok, value | error }` reply. */
  call(name: string, input?: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string } }>;
  stderr(): string;
  /** SIGTERM (SIGKILL after 10 s); resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `foxctl studio --port 0 --no-open --json` from a bundle and waits until it listens. */
export async function startStudioProcess(bundle: string, env: Record<string, string>): Promise<StudioUnderTest> {
  const child: ChildProcess = spawn(process.execPath, [bundle, '--json', 'studio', '--port', '0', '--no-open'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`foxctl studio printed no URL within 30 s; stderr:\n${err}`)), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line) as { data?: { url?: string; state?: string } };
        if (msg.data?.state === 'listening' && msg.data.url) {
          clearTimeout(timer);
          resolve(new URL(msg.data.url));
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
  const token = url.hash.replace(/^#token=/, '');
  return {
    port: Number(url.port),
    call: async (name, input = {}) => {
      const res = await fetch(`${url.origin}/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-foxctl-token': token },
        body: JSON.stringify(input),
      });
      return (await res.json()) as Awaited<ReturnType<StudioUnderTest['call']>>;
    },
    stderr: () => err,
    stop: async () => {
      if (child.exitCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
