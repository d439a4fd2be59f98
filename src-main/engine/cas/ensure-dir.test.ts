import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../test/temp-home.js';
import { expectCode } from './conformance.js';
import { ensureDir } from '../util/ensure-dir.js';
import { CasStore } from './guarded-store.js';
import { createSqliteBackend } from './sqlite-backend.js';
import { createTursoBackend } from './turso-backend.js';
import { resolveTursoSettings } from './turso-config.js';

describe('ensureDir: a store directory, or a clear refusal', () => {
  it('creates nested directories, and accepts ones another caller made at the same time', async () => {
    const root = tempHome().home;
    const deep = path.join(root, 'a', 'b', 'c');
    await Promise.all([ensureDir(deep, 'test'), ensureDir(deep, 'test'), ensureDir(path.join(deep, 'd'), 'test')]);
    expect(fs.statSync(path.join(deep, 'd')).isDirectory()).toBe(true);
    await ensureDir(deep, 'test');
  });

  it('refuses special file systems and non-directories, naming the path and why', async () => {
    const root = tempHome().home;
    fs.writeFileSync(path.join(root, 'plain'), 'x');
    await expectCode(ensureDir('/proc/self/cas', 'the file CAS'), 'INVALID_INPUT', /cannot use \/proc\/self\/cas for the file CAS: \/proc\/self is on procfs/);
    await expectCode(ensureDir('/proc/self', 'the file CAS'), 'INVALID_INPUT', /procfs/);
    await expectCode(ensureDir('/sys/fs/foxctl', 'x'), 'INVALID_INPUT', /sysfs/);
    await expectCode(ensureDir('/dev/null/cas', 'x'), 'INVALID_INPUT', /\/dev\/null is a character device, not a directory/);
    await expectCode(ensureDir(path.join(root, 'plain', 'sub'), 'x'), 'INVALID_INPUT', /plain is a file, not a directory/);
  });

  it('the sqlite and turso CAS backends refuse a database under /proc the same way', async () => {
    const sqlite = new CasStore(createSqliteBackend({ file: '/proc/self/foxctl/cas.db' }));
    await expectCode(sqlite.list(), 'INVALID_INPUT', /sqlite CAS database \(\$FOXCTL_CAS_DB_PATH\).*procfs/);
    await sqlite.close();
    const turso = new CasStore(createTursoBackend({ settings: resolveTursoSettings({ FOXCTL_CAS_DB_URL: 'file:/proc/self/foxctl/cas.db' }) }));
    await expectCode(turso.list(), 'INVALID_INPUT', /turso CAS database \(\$FOXCTL_CAS_DB_URL\).*procfs/);
    await turso.close();
  });
});
