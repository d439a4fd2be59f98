// Shared helpers of the benchmarks: timing, peak memory of a child, and one format for results.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

/** Runs `fn` and returns its wall time in seconds with its result. */
export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t0 = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, value };
}

/** Runs a shell command and returns its wall time in seconds; throws if it fails. */
export function timedCommand(cmd: string, args: string[], opts: { input?: string | Buffer; cwd?: string } = {}): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { input: opts.input, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr?.toString() ?? r.error}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/**
 * Prints one result line: the figure, the anchor's figure, and ours / anchor as the ratio
 * (higher is better for rates; say so in `better`).
 */
export function report(name: string, ours: number, anchor: number, unit: string, opts: { anchorName: string; better: 'higher' | 'lower'; goal?: number }): void {
  const ratio = ours / anchor;
  const goal = opts.goal === undefined ? '' : `  goal ${opts.better === 'higher' ? '>=' : '<='} ${opts.goal} ${(opts.better === 'higher' ? ratio >= opts.goal : ratio <= opts.goal) ? 'MET' : 'NOT MET'}`;
  process.stdout.write(
    `${name.padEnd(44)} ${fmt(ours)} ${unit}  vs ${opts.anchorName} ${fmt(anchor)} ${unit}  ratio ${ratio.toFixed(2)}${goal}\n`,
  );
}

/** Prints a plain figure without an anchor. */
export function figure(name: string, value: number, unit: string): void {
  process.stdout.write(`${name.padEnd(44)} ${fmt(value)} ${unit}\n`);
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(2) : n.toPrecision(3);
}

/** A scratch directory for one benchmark, on the same disk as the temp dir (removed by `cleanup`). */
export function scratch(name: string): { dir: string; cleanup(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `foxctl-bench-${name}-`));
  // FOXCTL_BENCH_KEEP=1 keeps what a run made, to profile a step of it by hand.
  if (process.env.FOXCTL_BENCH_KEEP === '1') return { dir, cleanup: () => process.stdout.write(`kept ${dir}\n`) };
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** POSTs to 127.0.0.1 over one kept-alive connection (as a page's fetch does); `close` lets the process exit. */
export function keepAlivePoster(): { post: (port: number, p: string, headers: Record<string, string>, body: string) => Promise<string>; close: () => void } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const post = (port: number, p: string, headers: Record<string, string>, body: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path: p, method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end(body);
    });
  return { post, close: () => agent.destroy() };
}
