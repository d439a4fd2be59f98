import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';
import { casConformance, expectCode } from './conformance.js';
import { digestBytes } from './digest.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { verifyStore } from './verify.js';

function fileFixture(dir: string) {
  return {
    open: (o: { tmpSafeAgeMs?: number } = {}) => createFileBackend({ dir, ...o }),
    corrupt: async (hex: string) => {
      const f = path.join(dir, 'sha256', hex);
      const b = fs.readFileSync(f);
      b[Math.floor(b.length / 2)]! ^= 0x01;
      fs.writeFileSync(f, b);
    },
    tempCount: async () => (fs.existsSync(path.join(dir, 'tmp')) ? fs.readdirSync(path.join(dir, 'tmp')).length : 0),
    // By hand, as `rm` / `truncate` in a shell would: the Go layout has nothing that ties the files together.
    damage: {
      dropBytes: async (hex: string) => fs.unlinkSync(path.join(dir, 'sha256', hex)),
      truncate: async (hex: string) => fs.truncateSync(path.join(dir, 'sha256', hex), 1000),
      // What the Go foxctl leaves when it dies between renaming the bytes in and writing their metadata.
      dropMeta: async (hex: string) => fs.unlinkSync(path.join(dir, 'sha256', `${hex}.json`)),
      removeByHand: async (hex: string) => {
        fs.unlinkSync(path.join(dir, 'sha256', hex));
        fs.unlinkSync(path.join(dir, 'sha256', `${hex}.json`));
      },
      pinsApart: true,
      metaApart: true,
      ageRecords: async (hex: string) => {
        const old = new Date(Date.now() - 2 * 3_600_000);
        for (const f of [path.join(dir, 'sha256', `${hex}.json`), path.join(dir, 'pins', hex)]) if (fs.existsSync(f)) fs.utimesSync(f, old, old);
      },
    },
  };
}

casConformance('file', async () => fileFixture(path.join(tempHome().home, 'cas')));

describe('file CAS: the Go foxctl layout', () => {
  it('writes sha256/<hex>, 2-space sha256/<hex>.json and pins/<hex> with the pin time', async () => {
    const dir = path.join(tempHome().home, 'cas');
    const store = new CasStore(createFileBackend({ dir }), { clock: () => new Date('2026-03-04T05:06:07.089Z') });
    const r = await store.put(Buffer.from('{"a":1}'), { kind: 'application/json', tags: ['x'], pin: true });
    const hex = r.digest.slice(7);
    expect(fs.readFileSync(path.join(dir, 'sha256', hex), 'utf8')).toBe('{"a":1}');
    const meta = fs.readFileSync(path.join(dir, 'sha256', `${hex}.json`), 'utf8');
    expect(meta).toBe(JSON.stringify({ digest: r.digest, size_bytes: 7, kind: 'application/json', tags: ['x'], created_at: r.created }, null, 2));
    expect(r.created).toMatch(/^2026-03-04T05:06:07\.089\d{6}Z$/);
    // Go's Store.Pin: time.Now().UTC().Format(time.RFC3339), whole seconds, no newline.
    expect(fs.readFileSync(path.join(dir, 'pins', hex), 'utf8')).toBe('2026-03-04T05:06:07Z');
    expect((await store.head(r.digest)).pinned_at).toBe('2026-03-04T05:06:07Z');
    // Go's os.CreateTemp makes blob and metadata 0600 before renaming them into place.
    expect(fs.statSync(path.join(dir, 'sha256', hex)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.join(dir, 'sha256', `${hex}.json`)).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'sha256')).sort()).toEqual([hex, `${hex}.json`].sort());
    // No tags: the key is left out, as Go's omitempty does (Go reads [] and absent alike; its own writes omit it).
    const bare = await store.put(Buffer.from('no tags'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'sha256', `${bare.digest.slice(7)}.json`), 'utf8'))).toEqual({ digest: bare.digest, size_bytes: 7, kind: 'application/octet-stream', created_at: bare.created });
    await store.close();
  });

  it('reads a store written by the Go foxctl, including null tags and metadata it lacks', async () => {
    const dir = path.join(tempHome().home, 'cas');
    const data = Buffer.from('written by go');
    const d = digestBytes(data);
    const hex = d.slice(7);
    fs.mkdirSync(path.join(dir, 'sha256'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'pins'));
    fs.writeFileSync(path.join(dir, 'sha256', hex), data);
    fs.writeFileSync(path.join(dir, 'sha256', `${hex}.json`), JSON.stringify({ digest: d, size_bytes: data.length, kind: 'text/plain', tags: null, created_at: '2024-05-01T10:00:00.5Z' }, null, 2));
    fs.writeFileSync(path.join(dir, 'pins', hex), '2024-05-02T00:00:00Z');
    const lone = Buffer.from('bytes without metadata');
    fs.writeFileSync(path.join(dir, 'sha256', digestBytes(lone).slice(7)), lone);
    const store = new CasStore(createFileBackend({ dir }));
    expect(await store.head(d)).toMatchObject({ kind: 'text/plain', tags: [], created_at: '2024-05-01T10:00:00.5Z', pinned: true, pinned_at: '2024-05-02T00:00:00Z' });
    const loneHead = await store.head(digestBytes(lone));
    expect(loneHead.meta_error).toMatch(/missing/);
    expect(loneHead.size_bytes).toBe(lone.length);
    // Metadata the Go tool would fail to parse: the bytes verify, their description does not.
    const garbled = Buffer.from('bytes with garbled metadata');
    fs.writeFileSync(path.join(dir, 'sha256', digestBytes(garbled).slice(7)), garbled);
    fs.writeFileSync(path.join(dir, 'sha256', `${digestBytes(garbled).slice(7)}.json`), '{"digest": "sha256:');
    const v = await (await import('./verify.js')).verifyStore(store);
    expect(v.corrupt).toEqual([]);
    expect(v.problems.map((p) => `${p.problem} ${p.digest}`).sort()).toEqual([`metadata ${digestBytes(garbled)}`, `orphan_bytes ${digestBytes(lone)}`].sort());
    expect(v.problems.find((p) => p.problem === 'orphan_bytes')!.message).toMatch(/hash to their name/);
    await store.close();
  });

  it('rm of what lost bytes left behind waits an hour (a put files metadata first), then removes metadata and lone pins', async () => {
    const dir = path.join(tempHome().home, 'cas');
    const store = new CasStore(createFileBackend({ dir }));
    const x = await store.put(Buffer.from('pinned, bytes deleted'), { pin: true });
    const y = await store.put(Buffer.from('pinned, deleted by hand'), { pin: true });
    const hx = x.digest.slice(7);
    const hy = y.digest.slice(7);
    fs.unlinkSync(path.join(dir, 'sha256', hx));
    fs.unlinkSync(path.join(dir, 'sha256', hy));
    fs.unlinkSync(path.join(dir, 'sha256', `${hy}.json`));
    await expectCode(store.remove(x.digest, { force: true }), 'CONFLICT', /a put may be under way/);
    expect(fs.existsSync(path.join(dir, 'sha256', `${hx}.json`))).toBe(true);
    const old = new Date(Date.now() - 2 * 3_600_000);
    for (const f of [path.join(dir, 'sha256', `${hx}.json`), path.join(dir, 'pins', hx), path.join(dir, 'pins', hy)]) fs.utimesSync(f, old, old);
    expect((await store.remove(x.digest, { force: true })).outcome).toBe('removed');
    expect((await store.remove(y.digest, { force: true })).outcome).toBe('removed');
    expect(fs.readdirSync(path.join(dir, 'sha256'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'pins'))).toEqual([]);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    await store.close();
  });

  it('finishes a commit cut off between its metadata and its bytes (kill -9), instead of calling the bytes lost', async () => {
    const dir = path.join(tempHome().home, 'cas');
    const first = new CasStore(createFileBackend({ dir }));
    const data = Buffer.from('the bytes of a put that was killed before its last rename');
    const { digest } = await first.put(data, { kind: 'text/plain' });
    await first.close();
    const hex = digest.slice(7);
    // What the kill leaves: the metadata in place, the whole upload still in tmp/, no blob; and
    // an abandoned partial upload beside it.
    fs.renameSync(path.join(dir, 'sha256', hex), path.join(dir, 'tmp', '01JDXK6Q1A2B3C4D5E6F7G8H9J.upload'));
    fs.writeFileSync(path.join(dir, 'tmp', '01JDXK6Q1A2B3C4D5E6F7G8H9K.upload'), data.subarray(0, 10));
    const store = new CasStore(createFileBackend({ dir, tmpSafeAgeMs: 0 }));
    await store.open();
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
    expect(fs.readFileSync(path.join(dir, 'sha256', hex)).equals(data)).toBe(true);
    const v = await verifyStore(store);
    expect(v.problems).toEqual([]);
    expect((await store.head(digest)).kind).toBe('text/plain');
    await store.close();
  });
});
