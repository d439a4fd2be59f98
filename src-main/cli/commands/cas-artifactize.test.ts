import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digestBytes } from '../../engine/cas/digest.js';
import { buildCliBundle, type CliBundle } from '../../test/cli-bundle.js';
import { tempHome } from '../../test/temp-home.js';

let cli: CliBundle;
beforeAll(async () => {
  cli = await buildCliBundle();
});
afterAll(() => cli.remove());

/** Runs the CLI as it ships, as a real process with `input` on stdin. */
function spawnCli(env: Record<string, string | undefined>, args: string[], input: string): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [cli.file, ...args], { env: { ...process.env, ...env }, input, maxBuffer: 1 << 26 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** A skill's envelope of `n` findings, as one line of output. */
function output(n: number): string {
  const findings = Array.from({ length: n }, (_, i) => ({ file: `a${i % 3}.go`, line: i, text: 'z'.repeat(100) }));
  return `${JSON.stringify({ version: 1, status: 'ok', command: 'code.grep', data: { findings }, meta: { ts: '2026-12-01T00:00:00Z', duration_ms: 3 } })}\n`;
}

// Real processes on a shared CPU: each run may take seconds.
describe('foxctl cas artifactize', { timeout: 60_000 }, () => {
  it('prints a small output as it is and stores nothing', () => {
    const h = tempHome();
    const r = spawnCli(h.env(), ['cas', 'artifactize'], output(3));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe(output(3));
    expect(fs.existsSync(path.join(h.home, 'cas', 'sha256'))).toBe(false);
  });

  it('moves an output over FOXCTL_INLINE_OUTPUT_KB into the file CAS the Go cas CLI reads, and prints the envelope', () => {
    const h = tempHome();
    const text = output(400).trimEnd();
    const r = spawnCli(h.env({ FOXCTL_INLINE_OUTPUT_KB: '16' }), ['cas', 'artifactize'], `${text}\n`);
    expect(r.status).toBe(0);
    const digest = digestBytes(text);
    expect(r.stderr).toContain(`exceeded 16KB limit; stored in CAS ${digest}`);
    const env = JSON.parse(r.stdout.toString()) as { command: string; data: Record<string, unknown>; meta: Record<string, unknown> };
    expect(env.command).toBe('code.grep');
    expect(env.data).toMatchObject({ summary: 'Code grep with 400 findings', artifact: digest, truncated: true });
    expect(env.meta.cas_digest).toBe(digest);
    // Where Go's file store (internal/storage/cas/store.go) reads it: bytes and metadata under paths.cas.
    const hex = digest.slice(7);
    expect(fs.readFileSync(path.join(h.home, 'cas', 'sha256', hex), 'utf8')).toBe(text);
    expect(JSON.parse(fs.readFileSync(path.join(h.home, 'cas', 'sha256', `${hex}.json`), 'utf8'))).toMatchObject({ digest, size_bytes: text.length, kind: 'application/json', tags: ['truncated-output'] });
    // The same output again is the same object: the envelope is identical, nothing new is stored.
    const again = spawnCli(h.env({ FOXCTL_INLINE_OUTPUT_KB: '16' }), ['cas', 'artifactize', '--json'], `${text}\n`);
    expect(JSON.parse(again.stdout.toString()).data.artifact).toBe(digest);
    expect(fs.readdirSync(path.join(h.home, 'cas', 'sha256'))).toHaveLength(2);
  });

  it('takes --inline-kb and --command for a bare value, and refuses what is not JSON', () => {
    const h = tempHome();
    const rows = JSON.stringify(Array.from({ length: 30 }, (_, i) => ({ id: i, v: 'q'.repeat(60) })));
    const r = spawnCli(h.env(), ['cas', 'artifactize', '--inline-kb', '1', '--command', 'foxctl.export'], rows);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout.toString())).toMatchObject({ version: 1, status: 'ok', command: 'foxctl.export', data: { summary: 'Export with 30 records' } });
    const bad = spawnCli(h.env(), ['cas', 'artifactize', '--json'], 'not json');
    expect(bad.status).not.toBe(0);
    expect(JSON.parse(bad.stdout.toString())).toMatchObject({ status: 'error', error: { code: 'INVALID_INPUT' } });
  });
});
