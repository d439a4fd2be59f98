import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { ARTIFACT_TAG, readArtifactInfo } from './artifact.js';
import { describeData, summaryOf } from './artifact-summary.js';
import { expectCode } from './conformance.js';
import { digestBytes } from './digest.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.close();
});

function engine(extra: Record<string, string> = {}): Engine {
  const e = openEngine({ env: tempHome().env(extra) });
  engines.push(e);
  return e;
}

/** An evidence bundle of 247 records across 3 files, as a skill would print it. */
function bundle(): Record<string, unknown> {
  const files = [100, 100, 47].map((n, f) => ({ path: `src/f${f}.go`, records: Array.from({ length: n }, (_, i) => ({ line: i + 1, text: 'x'.repeat(120) })) }));
  return { version: 1, status: 'ok', command: 'evidence.bundle', data: { files }, meta: { ts: '2026-12-01T00:00:00Z', duration_ms: 12, workspace: '/w' } };
}

describe('artifactize (Go runservice enforceOutputLimit, expose=hint)', () => {
  it('returns an output up to inline_output_kb as it is and stores nothing', async () => {
    const e = engine();
    const small = JSON.stringify({ version: 1, status: 'ok', command: 'x', data: { rows: [1, 2] }, meta: {} });
    expect(await e.cas.artifactize(`${small}\n`)).toEqual({ inline: true, output: small });
    expect((await e.cas.stats()).objects).toBe(0);
  });

  it("stores the whole envelope and returns Go's wrapper with a human summary, hint and meta.cas_digest", async () => {
    const e = engine({ FOXCTL_INLINE_OUTPUT_KB: '8' });
    const text = JSON.stringify(bundle());
    const a = await e.cas.artifactize(`${text}\n`);
    if (a.inline) throw new Error('expected an artifact');
    const digest = digestBytes(text);
    expect(a.digest).toBe(digest);
    expect(a.envelope).toMatchObject({
      version: 1,
      status: 'ok',
      command: 'evidence.bundle',
      data: {
        summary: 'Evidence bundle with 247 records across 3 files',
        artifact: digest,
        size: Buffer.byteLength(text),
        truncated: true,
        hint: { digest, total_bytes: Buffer.byteLength(text), content_type: 'application/json', get_command: `foxctl cas get ${digest}` },
        details: { kind: 'object', preview: { first_keys: ['files'] } },
      },
      meta: { ts: '2026-12-01T00:00:00Z', workspace: '/w', cas_digest: digest, original_size: Buffer.byteLength(text), truncated: true, truncate_reason: 'inline_output_kb' },
    });
    expect(a.envelope).not.toHaveProperty('error');
    expect(JSON.parse(a.output)).toEqual(a.envelope);
    expect(a.output.length).toBeLessThan(8 * 1024);
    // The stored object is the original envelope, byte for byte, filed as Go files it.
    expect((await buffer((await e.cas.get(digest)).stream)).toString()).toBe(text);
    expect(await e.cas.head(digest)).toMatchObject({ kind: 'application/json', tags: [ARTIFACT_TAG] });
  });

  it("keeps an envelope's own summary string (Go's extractSummary) and its error", async () => {
    const e = engine({ FOXCTL_INLINE_OUTPUT_KB: '1' });
    const env = { version: 1, status: 'error', command: 'grep', data: { summary: 'Found 900 matches', matches: 'm'.repeat(3000) }, meta: {}, error: { code: 'PARTIAL', message: 'timed out' } };
    const a = await e.cas.artifactize(JSON.stringify(env));
    if (a.inline) throw new Error('expected an artifact');
    expect(a.envelope).toMatchObject({ status: 'error', command: 'grep', data: { summary: 'Found 900 matches' }, error: { code: 'PARTIAL' } });
  });

  it('wraps a bare value under --command, with --inline-kb over the config', async () => {
    const e = engine();
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, text: 'y'.repeat(50) }));
    const a = await e.cas.artifactize(JSON.stringify(rows), { command: 'foxctl.rows', inlineKb: 1 });
    if (a.inline) throw new Error('expected an artifact');
    expect(a.envelope).toMatchObject({ version: 1, status: 'ok', command: 'foxctl.rows', data: { summary: 'Rows with 40 records', details: { kind: 'array', items: 40 } } });
  });

  it('refuses input that is not JSON and stores nothing', async () => {
    const e = engine();
    await expectCode(e.cas.artifactize('not json {'), 'INVALID_INPUT', /not JSON/);
    expect((await e.cas.stats()).objects).toBe(0);
  });
});

describe('readArtifactInfo', () => {
  it('describes a stored output as artifactize did, from the verified object', async () => {
    const e = engine({ FOXCTL_INLINE_OUTPUT_KB: '4' });
    const a = await e.cas.artifactize(JSON.stringify(bundle()));
    if (a.inline) throw new Error('expected an artifact');
    expect(await readArtifactInfo(e.cas.store, a.digest)).toEqual({
      digest: a.digest,
      command: 'evidence.bundle',
      status: 'ok',
      summary: 'Evidence bundle with 247 records across 3 files',
      size_bytes: a.size,
      ts: '2026-12-01T00:00:00Z',
    });
    const notJson = await e.cas.put(Buffer.from('plain text'), { tags: [ARTIFACT_TAG] });
    await expectCode(readArtifactInfo(e.cas.store, notJson.digest), 'INVALID_INPUT', /not a JSON output/);
  });
});

describe('the summary sentence', () => {
  it('describes the shape of the data', () => {
    expect(describeData('foxctl.cas.list', { items: Array(3).fill({}), next_cursor: null })).toBe('Cas list with 3 items');
    expect(describeData('x', { a: [1], bs: [1, 2] })).toBe('X with 2 bs and 1 a');
    expect(describeData('unknown', [{ records: [1] }])).toBe('Output with 1 record across 1 entry');
    expect(describeData('q', { n: 1 })).toBe('Q with 1 field');
    expect(describeData('q', 'abc')).toBe('Q: text of 3 characters');
  });

  it('cuts a long summary at 500 runes as Go does', () => {
    const s = summaryOf('x', { summary: '🦊'.repeat(600) });
    expect([...s]).toHaveLength(500);
    expect(s.endsWith('...')).toBe(true);
  });
});
