import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type Engine } from '../engine.js';
import { tempHome } from '../../test/temp-home.js';
import { addCasTags } from './tag.js';

describe('addCasTags', () => {
  let engine: Engine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('merges tags, keeps kind and pin, and refuses a corrupt object without touching its metadata', async () => {
    const th = tempHome();
    engine = openEngine({ env: th.env() });
    const a = await engine.cas.put(Buffer.from('hello tags\n'), { kind: 'text/plain', tags: ['first'], pin: true });
    const o = await addCasTags(engine.cas, a.digest, ['second', 'first', ' third ']);
    expect(o).toMatchObject({ digest: a.digest, kind: 'text/plain', pinned: true });
    expect([...o.tags].sort()).toEqual(['first', 'second', 'third']);
    expect((await engine.cas.list({ tag: 'second' })).items.map((i) => i.digest)).toEqual([a.digest]);

    await expect(addCasTags(engine.cas, a.digest, ['a,b'])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(addCasTags(engine.cas, `sha256:${'0'.repeat(64)}`, ['x'])).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const b = await engine.cas.put(Buffer.from('soon corrupt\n'), { tags: ['keep'] });
    fs.writeFileSync(path.join(th.home, 'cas', 'sha256', b.digest.slice(7)), 'soon c0rrupt\n');
    await expect(addCasTags(engine.cas, b.digest, ['new'])).rejects.toMatchObject({ code: 'CORRUPT' });
    expect((await engine.cas.head(b.digest)).tags).toEqual(['keep']);
    // The bad bytes were not filed under their own digest either.
    expect((await engine.cas.stats()).objects).toBe(2);
  });
});
