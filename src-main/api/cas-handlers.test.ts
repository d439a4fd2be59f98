import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine/engine.js';
import { tempHome } from '../test/temp-home.js';
import { ApiDispatcher } from './dispatch.js';
import { createHandlers } from './handlers.js';
import { hexDump } from './cas-preview.js';
import { failure, value } from '../test/bridge-result.js';
import { CAS_VERIFY_PROBLEMS, casVerifyResultSchema } from '../../src-preload/contract.js';
import { digestBytes } from '../engine/cas/digest.js';
import { VERIFY_PROBLEMS } from '../engine/cas/verify.js';

const origin = { scope: 'test', requestId: 'r1' };
const open: Engine[] = [];

/** The real dispatcher over a real engine in a throwaway home (file CAS backend). */
function setup(): { api: ApiDispatcher; engine: Engine } {
  const engine = openEngine({ env: tempHome().env() });
  open.push(engine);
  return { api: new ApiDispatcher(createHandlers(engine, { mode: 'browser', version: 'test' })), engine };
}

afterEach(async () => {
  for (const e of open.splice(0)) await e.close();
});

describe('CAS calls', () => {
  it('lists with filters, a digest prefix and a keyset cursor that neither loses nor repeats', async () => {
    const { api, engine } = setup();
    const digests: string[] = [];
    for (let i = 0; i < 30; i++) digests.push((await engine.cas.put(Buffer.from(`object ${i}`), { kind: i % 3 === 0 ? 'text/plain' : 'application/x-thing', tags: i % 5 === 0 ? ['five'] : [] })).digest);
    await engine.cas.pin(digests[7]!);
    type Page = { items: { digest: string; kind: string; pinned: boolean; tags: string[] }[]; next_cursor: string | null };
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page: Page = value<Page>(await api.invoke('cas.list', { limit: 7, sort: 'digest', ...(cursor ? { cursor } : {}) }, origin));
      seen.push(...page.items.map((o) => o.digest));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual([...digests].sort());
    expect(value<Page>(await api.invoke('cas.list', { kind: 'text/plain', limit: 100 }, origin)).items).toHaveLength(10);
    expect(value<Page>(await api.invoke('cas.list', { tag: 'five' }, origin)).items).toHaveLength(6);
    expect(value<Page>(await api.invoke('cas.list', { pinned: true }, origin)).items.map((o) => o.digest)).toEqual([digests[7]]);
    // A prefix filter pages through the engine: every match exactly once, in order.
    const prefix = digests[3]!.slice(7, 8);
    const want = digests.filter((d) => d.startsWith(`sha256:${prefix}`)).sort();
    const got: string[] = [];
    cursor = undefined;
    for (let i = 0; i < 40; i++) {
      const page: Page = value<Page>(await api.invoke('cas.list', { digestPrefix: `sha256:${prefix}`, limit: 1, sort: 'digest', ...(cursor ? { cursor } : {}) }, origin));
      got.push(...page.items.map((o) => o.digest));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(got).toEqual(want);
    expect(value<Page>(await api.invoke('cas.list', { digestPrefix: digests[3]!.slice(7, 20) }, origin)).items.map((o) => o.digest)).toEqual([digests[3]]);
  });

  it('refuses bad input through the contract, naming the field', async () => {
    const { api } = setup();
    for (const [name, input, field] of [
      ['cas.list', { digestPrefix: 'XYZ' }, 'digestPrefix'],
      ['cas.list', { sort: 'name' }, 'sort'],
      ['cas.list', { limit: 0 }, 'limit'],
      ['cas.head', { digest: 'sha256:abc' }, 'digest'],
      ['cas.pin', { digest: '../../etc/passwd' }, 'digest'],
      ['cas.rm', { digest: 'sha256:' + 'A'.repeat(64) }, 'digest'],
      ['cas.gc', { olderThan: 'a week', dryRun: true }, 'olderThan'],
      ['cas.gc', { olderThan: '1h' }, 'dryRun'],
      ['cas.preview', { digest: 'sha256:' + '0'.repeat(64), maxKb: 4096 }, 'maxKb'],
      ['cas.verify', { all: true }, 'all'],
    ] as const) {
      const err = failure(await api.invoke(name, input, origin));
      expect(err.code, `${name} ${JSON.stringify(input)}`).toBe('INVALID_INPUT');
      expect(err.message).toContain(field);
    }
    expect(failure(await api.invoke('cas.head', { digest: 'sha256:' + '0'.repeat(64) }, origin)).code).toBe('NOT_FOUND');
  });

  it('pins, refuses rm while pinned with the reason, removes once unpinned', async () => {
    const { api, engine } = setup();
    const { digest } = await engine.cas.put(Buffer.from('keep me'));
    expect(value<{ pinned: boolean }>(await api.invoke('cas.pin', { digest }, origin)).pinned).toBe(true);
    const err = failure(await api.invoke('cas.rm', { digest }, origin));
    expect(err.code).toBe('PINNED');
    expect(err.message).toMatch(/is pinned: unpin it first/);
    expect((await engine.cas.head(digest)).size_bytes).toBe(7);
    expect(value<{ pinned: boolean }>(await api.invoke('cas.unpin', { digest }, origin)).pinned).toBe(false);
    expect(value(await api.invoke('cas.rm', { digest }, origin))).toEqual({ digest, removed: true, size_bytes: 7 });
    expect(failure(await api.invoke('cas.head', { digest }, origin)).code).toBe('NOT_FOUND');
  });

  it('gc dry run lists what would go and keeps pinned objects; the real run is a job', async () => {
    const { api, engine } = setup();
    const a = await engine.cas.put(Buffer.from('aaaa'));
    const b = await engine.cas.put(Buffer.from('bbbbbb'));
    await engine.cas.pin(b.digest);
    type Dry = { dry_run: true; objects_deleted: number; bytes_freed: number; candidates: { digest: string }[]; kept_pinned: { digest: string }[] };
    const dry = value<Dry>(await api.invoke('cas.gc', { olderThan: '0s', dryRun: true }, origin));
    expect(dry).toMatchObject({ dry_run: true, objects_deleted: 1, bytes_freed: 4 });
    expect(dry.candidates.map((c) => c.digest)).toEqual([a.digest]);
    expect(dry.kept_pinned.map((c) => c.digest)).toEqual([b.digest]);
    // The default window (168 h) keeps both fresh objects.
    expect(value<Dry>(await api.invoke('cas.gc', { dryRun: true }, origin)).objects_deleted).toBe(0);
    expect((await engine.cas.list()).items).toHaveLength(2);
    const { jobId } = value<{ jobId: string }>(await api.invoke('cas.gc', { olderThan: '0s', dryRun: false }, origin));
    await waitJob(engine, jobId);
    expect((await engine.cas.list()).items.map((o) => o.digest)).toEqual([b.digest]);
  });

  it('verify is a job whose result names the corrupt object', async () => {
    const { api, engine } = setup();
    const good = await engine.cas.put(Buffer.from('fine'));
    const bad = await engine.cas.put(Buffer.from('will rot'));
    fs.writeFileSync(path.join(engine.config.casDir, 'sha256', bad.digest.slice(7)), 'will r0t');
    const { jobId } = value<{ jobId: string }>(await api.invoke('cas.verify', {}, origin));
    const result = (await waitJob(engine, jobId)) as { corrupt: string[]; objects_checked: number };
    expect(result.objects_checked).toBe(2);
    expect(result.corrupt).toEqual([bad.digest]);
    expect(result.corrupt).not.toContain(good.digest);
    // Bytes deleted by hand and bytes without metadata: listed by kind, in the contract's shape.
    fs.unlinkSync(path.join(engine.config.casDir, 'sha256', good.digest.slice(7)));
    const stray = Buffer.from('stray bytes');
    fs.writeFileSync(path.join(engine.config.casDir, 'sha256', digestBytes(stray).slice(7)), stray);
    const again = value<{ jobId: string }>(await api.invoke('cas.verify', {}, origin));
    const parsed = casVerifyResultSchema.parse(await waitJob(engine, again.jobId));
    expect(parsed.problems.map((p) => `${p.problem} ${p.digest}`).sort()).toEqual([`corrupt ${bad.digest}`, `missing_bytes ${good.digest}`, `orphan_bytes ${digestBytes(stray)}`].sort());
    expect(parsed.counts).toMatchObject({ corrupt: 1, missing_bytes: 1, orphan_bytes: 1 });
    expect([...CAS_VERIFY_PROBLEMS]).toEqual([...VERIFY_PROBLEMS]);
  });

  it('previews text, pretty JSON, images and binary; refuses a corrupt object', async () => {
    const { api, engine } = setup();
    type Preview = { mode: string; text?: string; dataUrl?: string; truncated: boolean };
    const t = await engine.cas.put(Buffer.from('héllo\nworld'), { kind: 'text/plain' });
    expect(value<Preview>(await api.invoke('cas.preview', { digest: t.digest }, origin))).toMatchObject({ mode: 'text', text: 'héllo\nworld', truncated: false });
    const j = await engine.cas.put(Buffer.from('{"a":[1,2]}'), { kind: 'application/json' });
    expect(value<Preview>(await api.invoke('cas.preview', { digest: j.digest }, origin)).text).toBe('{\n  "a": [\n    1,\n    2\n  ]\n}');
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const i = await engine.cas.put(png, { kind: 'image/png' });
    expect(value<Preview>(await api.invoke('cas.preview', { digest: i.digest }, origin)).dataUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
    const bin = await engine.cas.put(Buffer.from([0, 1, 2, 0x41]));
    expect(value<Preview>(await api.invoke('cas.preview', { digest: bin.digest }, origin))).toMatchObject({ mode: 'binary', text: hexDump(Buffer.from([0, 1, 2, 0x41])) });
    // A 3 KiB text previewed at 1 KiB is truncated, cutting no character in half.
    const big = await engine.cas.put(Buffer.from('é'.repeat(1536)), { kind: 'text/plain' });
    const p = value<Preview>(await api.invoke('cas.preview', { digest: big.digest, maxKb: 1 }, origin));
    expect(p).toMatchObject({ mode: 'text', truncated: true });
    expect(p.text).toBe('é'.repeat(512));
    // Corrupt bytes (same length) are caught by the end-to-end hash: nothing is shown.
    fs.writeFileSync(path.join(engine.config.casDir, 'sha256', t.digest.slice(7)), Buffer.from('hallo\nworld!'));
    expect(failure(await api.invoke('cas.preview', { digest: t.digest }, origin)).code).toBe('CORRUPT');
  });
  it('previews by content, not by the stored kind: images and SVG as images, a PDF by its facts, a fake PNG as bytes', async () => {
    const { api, engine } = setup();
    type Preview = { mode: string; kind: string; content_kind?: string; text?: string; dataUrl?: string; truncated: boolean };
    const preview = async (bytes: Buffer, kind?: string): Promise<Preview> => {
      const o = await engine.cas.put(bytes, kind ? { kind } : {});
      return value<Preview>(await api.invoke('cas.preview', { digest: o.digest }, origin));
    };
    const images: [string, Buffer][] = [
      ['image/png', Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex')],
      ['image/jpeg', Buffer.from('ffd8ffe000104a464946', 'hex')],
      ['image/gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')],
      ['image/webp', Buffer.concat([Buffer.from('RIFF'), Buffer.from([4, 0, 0, 0]), Buffer.from('WEBPVP8 ')])],
      ['image/svg+xml', Buffer.from('<?xml version="1.0"?>\n<!-- a logo -->\n<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')],
    ];
    for (const [type, bytes] of images) {
      // Stored as octet-stream, the way a dropped file without an extension is.
      const p = await preview(bytes);
      expect(p).toMatchObject({ mode: 'image', kind: 'application/octet-stream', content_kind: type, dataUrl: `data:${type};base64,${bytes.toString('base64')}` });
    }
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Count 2 >> endobj\n3 0 obj << /Type /Page >> endobj\n4 0 obj << /Type /Page >> endobj\n%%EOF\n');
    expect(await preview(pdf, 'application/octet-stream')).toMatchObject({ mode: 'pdf', content_kind: 'application/pdf', text: 'PDF 1.7 · 2 pages' });
    expect((await preview(pdf)).dataUrl).toBeUndefined();
    // Said to be a PNG, but its bytes are not: a hex dump, not a broken <img>.
    expect(await preview(Buffer.from([1, 2, 3, 0]), 'image/png')).toMatchObject({ mode: 'binary', kind: 'image/png' });
    // Text that mentions <svg> later is text.
    expect(await preview(Buffer.from('notes about <svg> tags'))).toMatchObject({ mode: 'text' });
  });
});

/** Waits for a job to end; resolves with its result, rejects with its error. */
async function waitJob(engine: Engine, id: string): Promise<unknown> {
  for (let i = 0; i < 200; i++) {
    const job = engine.jobs.get(id);
    if (job.state === 'ok') return job.result;
    if (job.state === 'error' || job.state === 'canceled') throw new Error(`${job.state}: ${job.error?.message ?? ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`job ${id} did not end in 5 s`);
}
