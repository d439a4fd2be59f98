import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnCli } from '../../test/cli-runner.js';
import { tempHome } from '../../test/temp-home.js';
import { openEngine } from '../engine.js';
import { matchesSearch, nameTag, namesOf } from './names.js';

describe('names of CAS objects', () => {
  it('keeps the name an object was put under as a name: tag, every name of the same content, and finds them', async () => {
    const home = tempHome();
    const engine = openEngine({ env: home.env() });
    try {
      const a = await engine.cas.put(Buffer.from('quarterly numbers\n'), { name: 'reports/Q1.csv', tags: ['finance'] });
      const again = await engine.cas.put(Buffer.from('quarterly numbers\n'), { name: 'copy of Q1.csv' });
      expect(again.digest).toBe(a.digest);
      const o = await engine.cas.head(a.digest);
      expect(namesOf(o.tags)).toEqual(['copy of Q1.csv', 'reports/Q1.csv']);
      expect(o.tags).toContain('finance');
      // The Go reader's own file: the names are plain strings in its tags array.
      const meta = JSON.parse(fs.readFileSync(path.join(home.home, 'cas', 'sha256', `${a.digest.slice(7)}.json`), 'utf8')) as { tags: string[] };
      expect(meta.tags).toEqual(['copy of Q1.csv', 'finance', 'reports/Q1.csv'].map((t) => (t === 'finance' ? t : `name:${t}`)).sort());
      await engine.cas.put(Buffer.from('other'), { name: 'notes.txt' });
      const found = await engine.cas.list({ search: 'q1' });
      expect(found.items.map((i) => i.digest)).toEqual([a.digest]);
      expect((await engine.cas.list({ search: a.digest.slice(7, 15) })).items.map((i) => i.digest)).toEqual([a.digest]);
      expect((await engine.cas.list({ search: 'nothing like it' })).items).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('normalises a name to folders joined by / and refuses one with no file name or too long', () => {
    expect(nameTag('./photos\\2024//a.jpg')).toBe('name:photos/2024/a.jpg');
    expect(() => nameTag('/./')).toThrow(/has no file name/);
    expect(() => nameTag('x'.repeat(300))).toThrow(/longer than 251 characters/);
    expect(matchesSearch({ digest: 'sha256:abcd', tags: ['name:Report.PDF'] }, 'report')).toBe(true);
    expect(matchesSearch({ digest: 'sha256:abcd', tags: ['report'] }, 'report')).toBe(false);
    expect(matchesSearch({ digest: 'sha256:abcd', tags: [] }, 'sha256:ab')).toBe(true);
  });

  it('cas put takes several files and -r DIR, prints a name per digest, and says what it skipped', () => {
    const home = tempHome();
    const env = home.env() as Record<string, string>;
    const work = path.join(home.home, '..', 'work');
    fs.mkdirSync(path.join(work, 'site', 'img'), { recursive: true });
    fs.writeFileSync(path.join(work, 'a.txt'), 'alpha\n');
    fs.writeFileSync(path.join(work, 'b.txt'), 'beta\n');
    fs.writeFileSync(path.join(work, 'site', 'index.html'), '<h1>hi</h1>\n');
    fs.writeFileSync(path.join(work, 'site', 'img', 'logo.svg'), '<svg/>\n');
    fs.symlinkSync(path.join(work, 'a.txt'), path.join(work, 'site', 'link.txt'));
    const hash = (f: string): string => `sha256:${execFileSync('sha256sum', [f]).toString().split(' ')[0]}`;

    const two = spawnCli(env, ['cas', 'put', path.join(work, 'a.txt'), path.join(work, 'b.txt')]);
    expect(two.stderr).toBe('');
    expect(two.stdout.toString().trim().split('\n')).toEqual([`${hash(path.join(work, 'a.txt'))}  a.txt`, `${hash(path.join(work, 'b.txt'))}  b.txt`]);

    const tree = spawnCli(env, ['--json', 'cas', 'put', '-r', path.join(work, 'site')]);
    expect(tree.status).toBe(0);
    const data = (JSON.parse(tree.stdout.toString()) as { data: { objects: { digest: string; name: string }[]; skipped: string[] } }).data;
    expect(data.objects.map((o) => o.name)).toEqual(['site/img/logo.svg', 'site/index.html']);
    expect(data.objects[0]!.digest).toBe(hash(path.join(work, 'site', 'img', 'logo.svg')));
    expect(data.skipped).toEqual([path.join(work, 'site', 'link.txt')]);
    const text = spawnCli(env, ['cas', 'put', '-r', path.join(work, 'site')]);
    expect(text.stderr).toMatch(/skipped .*link\.txt: not a regular file/);

    const folder = spawnCli(env, ['cas', 'put', path.join(work, 'site')]);
    expect(folder.status).not.toBe(0);
    expect(folder.stderr).toMatch(/site is a folder: pass -r/);
    const named = spawnCli(env, ['cas', 'put', '--name', 'x', path.join(work, 'a.txt'), path.join(work, 'b.txt')]);
    expect(named.stderr).toMatch(/--name names one file; 2 files were given/);

    const list = spawnCli(env, ['cas', 'list', '--search', 'LOGO']);
    expect(list.status).toBe(0);
    expect(list.stdout.toString()).toContain('site/img/logo.svg');
    expect(list.stdout.toString()).not.toContain('index.html');
    // One file alone still prints its digest alone (scripts read it), and keeps its name.
    const one = spawnCli(env, ['cas', 'put', '--name', 'renamed.txt', path.join(work, 'a.txt')]);
    expect(one.stdout.toString().trim()).toBe(hash(path.join(work, 'a.txt')));
    const head = spawnCli(env, ['--json', 'cas', 'head', hash(path.join(work, 'a.txt'))]);
    expect((JSON.parse(head.stdout.toString()) as { data: { tags: string[] } }).data.tags).toEqual(['name:a.txt', 'name:renamed.txt']);
  });
});
