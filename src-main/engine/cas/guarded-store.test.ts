import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { digestBytes, parseDigest } from './digest.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import type { CasBackend } from './types.js';

const GOOD = digestBytes('x');
const BAD = [
  ['upper case', `sha256:${GOOD.slice(7).toUpperCase()}`, /lower case/],
  ['upper-case prefix', `SHA256:${GOOD.slice(7)}`, /lower case/],
  ['short', GOOD.slice(0, 30), /hex digits, not 64/],
  ['md5', `md5:${'a'.repeat(32)}`, /md5.*not sha256/],
  ['a path', '../x', /path/],
  ['a path inside', `sha256:../../../etc/passwd`, /path/],
  ['NUL', `${GOOD.slice(0, 20)}\0${GOOD.slice(21)}`, /NUL/],
  ['no prefix', GOOD.slice(7), /prefix/],
  ['too long', `${GOOD}0`, /65 hex digits/],
] as const;

/** A backend that records every call and does nothing: proof that nothing reached storage. */
function recordingBackend(calls: string[]): CasBackend {
  return new Proxy({ name: 'recording', location: '/nowhere' } as CasBackend, {
    get(target, prop) {
      if (prop === 'name' || prop === 'location') return target[prop];
      return (...args: unknown[]) => {
        calls.push(`${String(prop)}(${args.map((a) => JSON.stringify(a)).join(', ')})`);
        return Promise.resolve(null);
      };
    },
  });
}

describe('CAS digests are validated before any I/O', () => {
  it.each(BAD)('%s is INVALID_INPUT naming what is wrong', (_name, bad, why) => {
    expect(() => parseDigest(bad)).toThrow(why);
  });

  it('accepts exactly sha256: + 64 lower-case hex', () => {
    expect(parseDigest(GOOD)).toBe(GOOD.slice(7));
    expect(() => parseDigest(42)).toThrow(/expected a string/);
  });

  it('no backend call is made for a bad digest, on any operation', async () => {
    const calls: string[] = [];
    const store = new CasStore(recordingBackend(calls));
    for (const [, bad] of BAD) {
      await expectCode(store.head(bad), 'INVALID_INPUT');
      await expectCode(store.has(bad), 'INVALID_INPUT');
      await expectCode(store.get(bad), 'INVALID_INPUT');
      await expectCode(store.getToFile(bad, '/tmp/never-written'), 'INVALID_INPUT');
      await expectCode(store.pin(bad), 'INVALID_INPUT');
      await expectCode(store.unpin(bad), 'INVALID_INPUT');
      await expectCode(store.remove(bad, { force: true }), 'INVALID_INPUT');
      await expectCode(store.names(bad, 10), 'INVALID_INPUT');
    }
    await expectCode(store.put(Buffer.from('x'), { tags: [''] }), 'INVALID_INPUT');
    expect(calls).toEqual([]);
    expect(fs.existsSync('/tmp/never-written')).toBe(false);
  });

  it('the file backend creates nothing, not even its directory, for bad digests', async () => {
    const dir = path.join(tempHome().home, 'cas');
    const store = new CasStore(createFileBackend({ dir }));
    for (const [, bad] of BAD) {
      await expectCode(store.head(bad), 'INVALID_INPUT');
      await expectCode(store.remove(bad), 'INVALID_INPUT');
      await expectCode(store.getToFile(bad, path.join(dir, 'out')), 'INVALID_INPUT');
    }
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('backend errors become FoxErrors naming the backend; a failed open is retried', async () => {
    const dir = path.join(tempHome().home, 'cas');
    fs.writeFileSync(dir, 'a file where the CAS directory should be');
    const store = new CasStore(createFileBackend({ dir }));
    const err = await store.list().catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ name: 'FoxError' });
    // ensureDir refuses it before any mkdir, naming the path, the setting and why.
    expect((err as Error).message).toContain(`cannot use ${dir} for the file CAS (paths.cas, $FOXCTL_PATHS_CAS): ${dir} is a file, not a directory`);
    fs.rmSync(dir);
    expect((await store.list()).items).toEqual([]);
    await store.close();
  });
});
