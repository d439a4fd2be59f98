import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vi } from 'vitest';
import { buildProgram } from '../cli/main.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** What a CLI run printed and its exit status. */
export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `foxctl ARGS` in this process against the home `home` (fast: no process start) and
 * returns what it printed and its exit status.
 */
export async function runCliInProcess(home: string, args: string[]): Promise<CliRun> {
  const saved = process.env.FOXCTL_HOME;
  process.env.FOXCTL_HOME = home;
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((stdout += c.toString()), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((stderr += c.toString()), true));
  process.exitCode = 0;
  try {
    await (await buildProgram(args)).exitOverride().parseAsync(['node', 'foxctl', ...args]);
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env.FOXCTL_HOME = saved;
  }
  const status = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { status, stdout, stderr };
}

/**
 * Runs `foxctl ARGS` as a child process from source (stdin, stdout and exit status as users
 * have them). Slower: a process start plus tsx.
 */
export function spawnCli(env: Record<string, string | undefined>, args: string[], input?: Buffer | string): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/cli/index.ts', ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    input: input ?? '',
    maxBuffer: 1 << 26,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}
