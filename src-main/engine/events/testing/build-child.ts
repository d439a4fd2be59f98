import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoModules = path.resolve(here, '../../../../node_modules');

/** A bundled child program and a way to spawn it. */
export interface ChildProgram {
  spawn(args: string[], env: Record<string, string | undefined>): ChildProcess;
  cleanup(): void;
}

/**
 * Bundles testing/child.ts into one CommonJS file (better-sqlite3 stays external and is found
 * through NODE_PATH), so each spawn runs the real engine code without a TypeScript loader.
 */
export async function buildChild(): Promise<ChildProgram> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-events-child-'));
  const outfile = path.join(dir, 'child.cjs');
  await build({ entryPoints: [path.join(here, 'child.ts')], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['better-sqlite3'], logLevel: 'error' });
  return {
    spawn: (args, env) =>
      spawn(process.execPath, [outfile, ...args], { env: { ...env, NODE_PATH: repoModules }, stdio: ['ignore', 'pipe', 'pipe'] }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Resolves when the child prints `word` on stdout (rejects if it exits first). */
export function waitForOutput(child: ChildProcess, word: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (d: Buffer): void => {
      out += d.toString();
      if (out.includes(word)) {
        child.stdout?.off('data', onData);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code, sig) => reject(new Error(`child exited (${code ?? sig}) before printing "${word}": ${err}`)));
  });
}

/** Resolves with the exit code when the child exits. */
export function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}
