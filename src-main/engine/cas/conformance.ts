// The ONE conformance suite of the CAS: every backend (file, sqlite, and later turso and s3)
// registers it from its own test file with a fixture factory. Tests go through CasStore, the
// wrapper every backend runs behind, so they check what users get.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { type ErrorCode } from '../errors.js';
import { digestBytes, parseDigest } from './digest.js';
import { collectGarbage } from './gc.js';
import { CasStore } from './guarded-store.js';
import type { CasBackend } from './types.js';
import { verifyStore } from './verify.js';

/** What a backend's test file provides: fresh storage and a few hooks to reach under the API. */
export interface CasFixture {
  /** A new backend instance over this fixture's storage (as a second process would open it). */
  open(opts?: { tmpSafeAgeMs?: number }): CasBackend;
  /** Flips one byte of the stored bytes of an object. */
  corrupt(hex: string): Promise<void>;
  /** How many uploads in progress (temp files, staging rows) the storage holds. */
  tempCount(): Promise<number>;
  /** Removes the storage (optional; temp homes are removed by the test helper). */
  cleanup?(): Promise<void>;
  /** Damage done the way it happens outside this process: by hand, by another tool, by a crash. */
  damage: CasDamageHooks;
}

/** How each backend's storage gets damaged in reality (every hook acts outside the CasStore). */
export interface CasDamageHooks {
  /** The bytes of a stored object disappear; its metadata (and pin) stay. */
  dropBytes(hex: string): Promise<void>;
  /** The bytes of a stored object are cut short. */
  truncate(hex: string): Promise<void>;
  /** A stored object (larger than one chunk) loses its metadata and keeps its bytes. */
  dropMeta(hex: string): Promise<void>;
  /** A stored object is deleted by hand: bytes and metadata (a pin kept apart stays). */
  removeByHand(hex: string): Promise<void>;
  /** Pins live apart from the metadata, so removeByHand leaves a pin behind. */
  pinsApart: boolean;
  /**
   * Bytes live apart from the metadata, so dropMeta leaves bytes nothing describes (false where
   * one record holds both, as the sqlite backend's cas_objects row: dropMeta then removes the object).
   */
  metaApart: boolean;
  /** Makes an object's records look older than an hour (where removing leftovers waits that long). */
  ageRecords(hex: string): Promise<void>;
}

/** Creates a fixture over fresh, empty storage. */
export type CasFixtureFactory = () => Promise<CasFixture>;

/** Expects a promise to reject with a FoxError of `code`. */
export async function expectCode(p: Promise<unknown>, code: ErrorCode, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'FoxError', code });
  if (message) expect((err as Error).message).toMatch(message);
}

const HOUR = 3_600_000;

/** Registers the CAS conformance suite for one backend. */
export function casConformance(name: string, factory: CasFixtureFactory): void {
  describe(`CAS conformance: ${name}`, () => {
    const open: CasStore[] = [];
    const fixtures: CasFixture[] = [];
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = (): Date => new Date(now);

    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
      for (const f of fixtures.splice(0)) await f.cleanup?.();
      now = Date.parse('2026-01-01T00:00:00Z');
    });

    async function setup(): Promise<{ fx: CasFixture; store: CasStore; another(): CasStore }> {
      const fx = await factory();
      fixtures.push(fx);
      const make = (): CasStore => {
        const s = new CasStore(fx.open(), { clock });
        open.push(s);
        return s;
      };
      return { fx, store: make(), another: make };
    }

    it('put returns the digest of the bytes; head, get and list agree', async () => {
      const { store } = await setup();
      const data = Buffer.from('hello, content-addressed world\n');
      const r = await store.put(Readable.from([data.subarray(0, 5), data.subarray(5)]), { kind: 'text/plain', tags: ['greeting'] });
      expect(r).toMatchObject({ digest: digestBytes(data), size_bytes: data.length, kind: 'text/plain', tags: ['greeting'], existed: false, pinned: false });
      expect(r.created).toBe('2026-01-01T00:00:00.000Z'.slice(0, 23) + r.created.slice(23));
      const head = await store.head(r.digest);
      expect(head).toMatchObject({ digest: r.digest, size_bytes: data.length, kind: 'text/plain', tags: ['greeting'], pinned: false });
      expect(head.meta_error).toBeUndefined();
      expect(await buffer((await store.get(r.digest)).stream)).toEqual(data);
      const page = await store.list();
      expect(page.items.map((o) => o.digest)).toEqual([r.digest]);
      expect(page.next_cursor).toBeNull();
      const plain = await store.put(Buffer.from('no kind'));
      expect(plain.kind).toBe('application/octet-stream');
      expect(await store.has(plain.digest)).toBe(true);
    });

    it('putting existing content again dedupes, merges tags sorted, keeps created_at and records last_put_at', async () => {
      const { store } = await setup();
      const data = Buffer.from('same bytes');
      const first = now;
      const a = await store.put(data, { tags: ['b', ' a ', 'b'] });
      expect(a.tags).toEqual(['a', 'b']);
      now += HOUR;
      const b = await store.put(data, { tags: ['c', 'b', 'A'], kind: 'text/other' });
      expect(b).toMatchObject({ digest: a.digest, existed: true, tags: ['A', 'a', 'b', 'c'], kind: a.kind });
      // The Go foxctl keeps the first put's created_at (its gc counts from it).
      expect(b.created).toBe(a.created);
      const head = await store.head(a.digest);
      expect(Date.parse(head.created_at.slice(0, 23))).toBe(first);
      expect(Date.parse(head.last_put_at!.slice(0, 23))).toBe(now);
      expect(head.tags).toEqual(['A', 'a', 'b', 'c']);
      expect((await store.list()).items).toHaveLength(1);
    });

    it('empty and multi-chunk objects round-trip through get and getToFile', async () => {
      const { store } = await setup();
      const empty = await store.put(Buffer.alloc(0));
      expect(empty).toMatchObject({ digest: digestBytes(Buffer.alloc(0)), size_bytes: 0 });
      expect((await buffer((await store.get(empty.digest)).stream)).length).toBe(0);
      const big = randomBytes(3 * (1 << 20) + 12345);
      const pieces = Array.from({ length: 40 }, (_, i) => big.subarray(Math.floor((i * big.length) / 40), Math.floor(((i + 1) * big.length) / 40)));
      const r = await store.put(Readable.from(pieces));
      expect(r.digest).toBe(digestBytes(big));
      expect(r.size_bytes).toBe(big.length);
      expect((await buffer((await store.get(r.digest)).stream)).equals(big)).toBe(true);
      // getTo lends reused buffers: a sink that copies each chunk gets the exact bytes, in order.
      const copies: Buffer[] = [];
      expect(await store.getTo(r.digest, async (c) => void copies.push(Buffer.from(c)))).toEqual({ digest: r.digest, size_bytes: big.length });
      expect(Buffer.concat(copies).equals(big)).toBe(true);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cas-out-'));
      try {
        const out = path.join(dir, 'out.bin');
        expect(await store.getToFile(r.digest, out)).toMatchObject({ size_bytes: big.length, path: out });
        expect(fs.readFileSync(out).equals(big)).toBe(true);
        expect(fs.readdirSync(dir)).toEqual(['out.bin']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('missing objects are NOT_FOUND on every call', async () => {
      const { store } = await setup();
      const d = digestBytes('never stored');
      await expectCode(store.head(d), 'NOT_FOUND', /never|no object/);
      await expectCode(store.get(d), 'NOT_FOUND');
      await expectCode(store.getToFile(d, path.join(os.tmpdir(), `cas-missing-${Date.now()}`)), 'NOT_FOUND');
      await expectCode(store.pin(d), 'NOT_FOUND');
      await expectCode(store.unpin(d), 'NOT_FOUND');
      await expectCode(store.remove(d), 'NOT_FOUND');
      expect(await store.has(d)).toBe(false);
    });

    it('rejects invalid digests, kinds, tags and queries with INVALID_INPUT', async () => {
      const { store } = await setup();
      const good = digestBytes('x');
      for (const bad of [good.toUpperCase(), `sha256:${good.slice(7).toUpperCase()}`, good.slice(0, 20), `md5:${'0'.repeat(32)}`, '../x', `${good}\0`, `sha256:../../${'a'.repeat(58)}`, '']) {
        await expectCode(store.head(bad), 'INVALID_INPUT', /invalid digest/);
        await expectCode(store.get(bad), 'INVALID_INPUT');
        await expectCode(store.remove(bad), 'INVALID_INPUT');
        await expectCode(store.pin(bad), 'INVALID_INPUT');
      }
      await expectCode(store.put(Buffer.from('x'), { kind: '' }), 'INVALID_INPUT', /kind/);
      await expectCode(store.put(Buffer.from('x'), { tags: ['ok', 'bad\nline'] }), 'INVALID_INPUT', /tag/);
      await expectCode(store.list({ limit: 0 }), 'INVALID_INPUT', /limit/);
      await expectCode(store.list({ cursor: 'garbage!' }), 'INVALID_INPUT', /cursor/);
      await expectCode(store.list({ createdBefore: 'yesterday' }), 'INVALID_INPUT', /created-before/);
      expect((await store.list()).items).toHaveLength(0);
    });

    it('list filters by kind, tag, pinned and time, sorts, and pages with a cursor', async () => {
      const { store } = await setup();
      const made: string[] = [];
      for (let i = 0; i < 7; i++) {
        now += 1000;
        const r = await store.put(Buffer.from(`object ${i} `.repeat(i + 1)), { kind: i % 2 ? 'text/odd' : 'text/even', tags: i < 3 ? ['low'] : ['high'], pin: i === 6 });
        made.push(r.digest);
      }
      expect((await store.list({ kind: 'text/odd' })).items.map((o) => o.digest).sort()).toEqual([made[1], made[3], made[5]].sort());
      expect((await store.list({ tag: 'low' })).items).toHaveLength(3);
      expect((await store.list({ pinned: true })).items.map((o) => o.digest)).toEqual([made[6]]);
      const t3 = Date.parse('2026-01-01T00:00:00Z') + 4000;
      expect((await store.list({ createdBefore: new Date(t3), sort: 'created' })).items.map((o) => o.digest)).toEqual(made.slice(0, 3));
      expect((await store.list({ createdAfter: new Date(t3).toISOString(), sort: 'created' })).items.map((o) => o.digest)).toEqual(made.slice(3));
      expect((await store.list()).items.map((o) => o.digest)).toEqual([...made].reverse());
      const bySize = (await store.list({ sort: '-size' })).items.map((o) => o.size_bytes);
      expect(bySize).toEqual([...bySize].sort((a, b) => b - a));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.list({ limit: 3, cursor, sort: 'digest' });
        seen.push(...page.items.map((o) => o.digest));
        cursor = page.next_cursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(pages).toBe(3);
      expect(seen).toEqual([...made].sort());
    });

    it('pins protect from rm; unpin lifts it; rm --force removes a pinned object', async () => {
      const { store } = await setup();
      const a = await store.put(Buffer.from('pin me'));
      const pinned = await store.pin(a.digest);
      expect(pinned.pinned).toBe(true);
      await expectCode(store.remove(a.digest), 'PINNED', /pinned/);
      expect(await store.has(a.digest)).toBe(true);
      expect((await store.unpin(a.digest)).pinned).toBe(false);
      await store.pin(a.digest);
      expect((await store.remove(a.digest, { force: true })).outcome).toBe('removed');
      expect(await store.has(a.digest)).toBe(false);
      const b = await store.put(Buffer.from('put pinned'), { pin: true });
      expect(b.pinned).toBe(true);
      expect((await store.remove(b.digest, { force: false, guard: { unpinnedOnly: true } })).outcome).toBe('pinned');
    });

    it('a flipped byte: get fails CORRUPT, getToFile keeps the destination, verify names exactly the corrupt ones', async () => {
      const { fx, store } = await setup();
      const objs = [];
      for (let i = 0; i < 5; i++) objs.push(await store.put(i === 4 ? randomBytes(2_500_000) : Buffer.from(`payload number ${i}`)));
      const bad = [objs[1]!.digest, objs[4]!.digest];
      for (const d of bad) await fx.corrupt(parseDigest(d));
      await expectCode(buffer((await store.get(bad[0]!)).stream), 'CORRUPT', /corrupt/);
      await expectCode(store.getTo(bad[1]!, async () => undefined), 'CORRUPT', /corrupt/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cas-corrupt-'));
      try {
        const out = path.join(dir, 'keep.txt');
        fs.writeFileSync(out, 'previous');
        await expectCode(store.getToFile(bad[1]!, out), 'CORRUPT');
        expect(fs.readFileSync(out, 'utf8')).toBe('previous');
        expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
        await expectCode(store.getToFile(bad[0]!, path.join(dir, 'new.txt')), 'CORRUPT');
        expect(fs.readdirSync(dir)).toEqual(['keep.txt']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      const v = await verifyStore(store);
      expect(v.corrupt.sort()).toEqual([...bad].sort());
      expect(v.objects_checked).toBe(5);
      expect(v.ok).toBe(false);
      expect(await buffer((await store.get(objs[0]!.digest)).stream)).toEqual(Buffer.from('payload number 0'));
    });

    it('verify reports bytes that are gone, bytes cut short, bytes without metadata and leftover pins', async () => {
      const { fx, store } = await setup();
      const big = (seed: string): Buffer => Buffer.concat([Buffer.from(seed), randomBytes(600_000)]);
      const gone = await store.put(Buffer.from('small, bytes deleted'));
      const goneBig = await store.put(big('large, bytes deleted'));
      const gonePinned = await store.put(Buffer.from('pinned, bytes deleted'), { pin: true });
      const short = await store.put(big('large, cut short'));
      const stray = await store.put(big('bytes whose metadata is gone'));
      const byHand = await store.put(Buffer.from('pinned, deleted by hand'), { pin: true });
      const fine = await store.put(Buffer.from('untouched'));
      for (const o of [gone, goneBig, gonePinned]) await fx.damage.dropBytes(parseDigest(o.digest));
      await fx.damage.truncate(parseDigest(short.digest));
      await fx.damage.dropMeta(parseDigest(stray.digest));
      await fx.damage.removeByHand(parseDigest(byHand.digest));

      const v = await verifyStore(store);
      const kinds = v.problems.map((p) => `${p.problem} ${p.digest}`);
      const expected = [
        ...[gone, goneBig, gonePinned].map((o) => `missing_bytes ${o.digest}`),
        `corrupt ${short.digest}`,
        ...(fx.damage.metaApart ? [`orphan_bytes ${stray.digest}`] : []),
        ...(fx.damage.pinsApart ? [`orphan_pin ${byHand.digest}`] : []),
      ];
      expect(kinds.sort()).toEqual(expected.sort());
      expect(v.ok).toBe(false);
      expect(v.missing).toEqual([gone, goneBig, gonePinned].map((o) => o.digest).sort());
      expect(v.corrupt).toEqual([short.digest]);
      expect(v.counts).toMatchObject({ missing_bytes: 3, corrupt: 1, orphan_bytes: fx.damage.metaApart ? 1 : 0, orphan_pin: fx.damage.pinsApart ? 1 : 0, metadata: 0, unreadable: 0 });
      const find = (d: string, kind: string) => v.problems.find((p) => p.digest === d && p.problem === kind)!;
      expect(find(gonePinned.digest, 'missing_bytes').message).toMatch(/its pin file|it was pinned/);
      expect(find(goneBig.digest, 'missing_bytes').size_bytes).toBe(goneBig.size_bytes);
      expect(find(short.digest, 'corrupt').message).toMatch(new RegExp(`records ${short.size_bytes} bytes`));
      if (fx.damage.metaApart) expect(find(stray.digest, 'orphan_bytes').size_bytes).toBe(stray.size_bytes);
      for (const p of v.problems) expect(p.hint.length).toBeGreaterThan(20);
      // The untouched object is still whole.
      expect(await buffer((await store.get(fine.digest)).stream)).toEqual(Buffer.from('untouched'));
    });

    it('putting the content again restores what was lost: bytes deleted or cut short, metadata deleted', async () => {
      const { fx, store } = await setup();
      const small = Buffer.from('small object, bytes deleted');
      const large = randomBytes(700_000);
      const short = randomBytes(650_000);
      const stray = randomBytes(600_000);
      const a = await store.put(small, { kind: 'text/plain', tags: ['old'], pin: true });
      const b = await store.put(large);
      const c = await store.put(short);
      const d = await store.put(stray);
      await fx.damage.dropBytes(parseDigest(a.digest));
      await fx.damage.dropBytes(parseDigest(b.digest));
      await fx.damage.truncate(parseDigest(c.digest));
      await fx.damage.dropMeta(parseDigest(d.digest));
      expect((await verifyStore(store)).problems).toHaveLength(fx.damage.metaApart ? 4 : 3);
      now += HOUR;
      const again = await store.put(small, { tags: ['new'] });
      expect(again).toMatchObject({ digest: a.digest, existed: false, size_bytes: small.length, kind: 'text/plain', tags: ['new', 'old'], pinned: true });
      for (const [data, o] of [[large, b], [short, c], [stray, d]] as const) expect((await store.put(data)).digest).toBe(o.digest);
      const v = await verifyStore(store);
      expect(v.problems).toEqual([]);
      expect(v.objects_checked).toBe(4);
      for (const [data, o] of [[small, a], [large, b], [short, c], [stray, d]] as const) expect((await buffer((await store.get(o.digest)).stream)).equals(data)).toBe(true);
      expect((await store.head(d.digest)).meta_error).toBeUndefined();
    });

    it('rm removes what an object whose bytes are gone left behind (a pinned one with --force)', async () => {
      const { fx, store } = await setup();
      const a = await store.put(Buffer.from('pinned, bytes lost for good'), { pin: true });
      const b = await store.put(Buffer.from('bytes lost for good'));
      for (const o of [a, b]) {
        await fx.damage.dropBytes(parseDigest(o.digest));
        await fx.damage.ageRecords(parseDigest(o.digest));
      }
      expect((await verifyStore(store)).missing).toEqual([a.digest, b.digest].sort());
      await expectCode(store.remove(a.digest), 'PINNED');
      expect((await store.remove(a.digest, { force: true })).outcome).toBe('removed');
      expect((await store.remove(b.digest)).outcome).toBe('removed');
      expect((await verifyStore(store)).problems).toEqual([]);
      await expectCode(store.remove(a.digest, { force: true }), 'NOT_FOUND');
      expect((await store.list()).items).toEqual([]);
    });

    it('getToVerified: a corrupt object reaches the sink not at all, or never whole above the buffer', async () => {
      const { fx, store } = await setup();
      const small = await store.put(Buffer.from('a small object that will be corrupted'));
      const data = randomBytes(2_500_000);
      const large = await store.put(data);
      const got: Buffer[] = [];
      const sink = async (c: Buffer): Promise<void> => void got.push(Buffer.from(c));
      // Intact: every byte, in order, with a buffer smaller than the object (the hold-back path).
      expect(await store.getToVerified(large.digest, sink, { bufferBytes: 1 << 20 })).toEqual({ digest: large.digest, size_bytes: data.length });
      expect(Buffer.concat(got).equals(data)).toBe(true);
      await fx.corrupt(parseDigest(small.digest));
      await fx.corrupt(parseDigest(large.digest));
      got.length = 0;
      await expectCode(store.getToVerified(small.digest, sink), 'CORRUPT', /corrupt/);
      expect(got).toEqual([]);
      await expectCode(store.getToVerified(large.digest, sink), 'CORRUPT');
      expect(got).toEqual([]);
      await expectCode(store.getToVerified(large.digest, sink, { bufferBytes: 1 << 20 }), 'CORRUPT');
      // Above the buffer the bytes stream one chunk behind: the last chunk is never sent.
      expect(Buffer.concat(got).length).toBeLessThan(data.length);
    });

    it('10 concurrent puts of the same content give one object', async () => {
      const { store, another } = await setup();
      const other = another();
      const data = randomBytes(300_000);
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).put(Readable.from([data.subarray(0, 1000), data.subarray(1000)]), { tags: [`t${i}`] })));
      expect(new Set(results.map((r) => r.digest)).size).toBe(1);
      expect(results.filter((r) => !r.existed).length).toBeGreaterThanOrEqual(1);
      expect((await store.list()).items).toHaveLength(1);
      expect((await store.stats()).objects).toBe(1);
      expect((await buffer((await store.get(results[0]!.digest)).stream)).equals(data)).toBe(true);
    });

    it('a canceled put stores nothing and leaves no temp data', async () => {
      const { fx, store } = await setup();
      const controller = new AbortController();
      async function* slow(): AsyncGenerator<Buffer> {
        for (let i = 0; i < 50; i++) {
          if (i === 5) controller.abort();
          yield randomBytes(64 * 1024);
        }
      }
      await expectCode(store.put(slow(), { signal: controller.signal }), 'CANCELED');
      expect((await store.list()).items).toHaveLength(0);
      expect(await fx.tempCount()).toBe(0);
      await expectCode(store.head(digestBytes('x'), { signal: controller.signal }), 'CANCELED');
    });

    it('a canceled getToFile leaves neither the destination nor a temp file', async () => {
      const { store } = await setup();
      const r = await store.put(randomBytes(5 * (1 << 20)));
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cas-cancel-'));
      try {
        const controller = new AbortController();
        const out = path.join(dir, 'out.bin');
        await expectCode(store.getToFile(r.digest, out, { signal: controller.signal, onProgress: () => controller.abort() }), 'CANCELED');
        expect(fs.readdirSync(dir)).toEqual([]);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('uploads left by a crash are cleaned on open only once older than the safe age', async () => {
      const { fx } = await setup();
      const crashed = fx.open();
      await crashed.open();
      const w = await crashed.createWriter();
      await w.write(randomBytes(3 << 20), 0);
      expect(await fx.tempCount()).toBeGreaterThan(0);
      const young = fx.open();
      await young.open();
      expect(await fx.tempCount()).toBeGreaterThan(0);
      await young.close();
      const old = fx.open({ tmpSafeAgeMs: 0 });
      await old.open();
      expect(await fx.tempCount()).toBe(0);
      await old.close();
      await w.abort();
      await crashed.close();
    });

    it('gc removes old unpinned objects, keeps pinned and fresh ones, honours dry run and max-delete', async () => {
      const { store } = await setup();
      const old = [];
      for (let i = 0; i < 6; i++) old.push(await store.put(Buffer.from(`old ${i}`), { pin: i === 0 }));
      now += 2 * HOUR;
      const fresh = await store.put(Buffer.from('fresh'));
      const dry = await collectGarbage(store, { olderThanMs: HOUR, dryRun: true });
      // objects_skipped as the Go gc counts it: the pinned one and the fresh one.
      expect(dry).toMatchObject({ objects_deleted: 5, objects_skipped: 2, skipped_pinned: 1, skipped_fresh: 1, objects_left: 0, errors: 0, dry_run: true });
      expect(dry.bytes_freed).toBe(old.slice(1).reduce((n, o) => n + o.size_bytes, 0));
      expect(dry.candidates!.map((c) => c.digest).sort()).toEqual(old.slice(1).map((o) => o.digest).sort());
      expect((await store.list({ limit: 100 })).items).toHaveLength(7);
      const capped = await collectGarbage(store, { olderThanMs: HOUR, maxDelete: 2 });
      expect(capped).toMatchObject({ objects_deleted: 2, objects_skipped: 2, objects_left: 3, errors: 0 });
      const rest = await collectGarbage(store, { olderThanMs: HOUR });
      expect(rest).toMatchObject({ objects_deleted: 3, objects_skipped: 2, errors: 0 });
      const left = (await store.list()).items.map((o) => o.digest).sort();
      expect(left).toEqual([old[0]!.digest, fresh.digest].sort());
      await expectCode(collectGarbage(store, { olderThanMs: -1 }), 'INVALID_INPUT');
      await expectCode(collectGarbage(store, { keepPinned: false }), 'UNSUPPORTED');
    });

    it('gc keeps an object put again within the grace window, counts from last_put_at, and defaults to 72 h', async () => {
      const { store } = await setup();
      const reput = await store.put(Buffer.from('put twice'));
      const once = await store.put(Buffer.from('put once'));
      now += 71 * HOUR;
      await store.put(Buffer.from('put twice'));
      now += 2 * HOUR;
      // 73 h after the first puts, 2 h after the re-put: the Go CLI's default window is 72 h.
      const r = await collectGarbage(store);
      expect(r).toMatchObject({ objects_deleted: 1, objects_skipped: 1, skipped_fresh: 1 });
      expect(await store.has(once.digest)).toBe(false);
      const kept = await store.head(reput.digest);
      expect(kept.created_at).toBe(reput.created);
      now += 71 * HOUR;
      expect(await collectGarbage(store)).toMatchObject({ objects_deleted: 1, objects_skipped: 0 });
    });

    it('gc running while another process puts loses nothing put within the grace window', async () => {
      const { store, another } = await setup();
      const putter = another();
      const contents = Array.from({ length: 120 }, (_, i) => Buffer.from(`gc race object ${i} `.repeat(20)));
      for (let round = 0; round < 2; round++) {
        const put = await Promise.all(contents.map((c) => putter.put(c)));
        now += 2 * HOUR;
        const again = new Set(put.filter((_, i) => i % 3 !== 0).map((p) => p.digest));
        const extra = Array.from({ length: 40 }, (_, i) => Buffer.from(`new during gc ${round} ${i}`));
        const gc = collectGarbage(store, { olderThanMs: HOUR });
        const reputs = (async () => {
          const work = [...contents.filter((_, i) => i % 3 !== 0), ...extra];
          const out = [];
          for (let i = 0; i < work.length; i += 8) out.push(...(await Promise.all(work.slice(i, i + 8).map((c) => putter.put(c)))));
          return out;
        })();
        const [res, acked] = await Promise.all([gc, reputs]);
        expect(res.errors).toBe(0);
        for (const a of acked) {
          expect(await store.has(a.digest)).toBe(true);
          expect(await buffer((await store.get(a.digest)).stream)).toHaveLength(a.size_bytes);
        }
        for (const p of put) if (!again.has(p.digest)) expect(await store.has(p.digest)).toBe(false);
        now += 2 * HOUR;
        await collectGarbage(store, { olderThanMs: HOUR });
        expect((await store.list()).items).toHaveLength(0);
      }
    }, 90_000); // 2 × 160 puts by another process; ~30 s on s3rver, the slowest backend, on a loaded 2-core machine

    it('stats counts objects, bytes and pins', async () => {
      const { store } = await setup();
      expect(await store.stats()).toMatchObject({ objects: 0, bytes: 0, pinned: 0, backend: name });
      await store.put(Buffer.from('12345'));
      await store.put(Buffer.from('1234567890'), { pin: true });
      expect(await store.stats()).toMatchObject({ objects: 2, bytes: 15, pinned: 1, pinned_bytes: 10 });
    });

    it('a closed store refuses calls with UNAVAILABLE', async () => {
      const { store } = await setup();
      await store.put(Buffer.from('x'));
      await store.close();
      await expectCode(store.list(), 'UNAVAILABLE', /closed/);
      await expectCode(store.put(Buffer.from('y')), 'UNAVAILABLE');
    });
  });
}
