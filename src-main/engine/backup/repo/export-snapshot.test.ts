import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../../test/temp-home.js';
import { collectSources } from '../sources.js';
import { seedHome } from '../test-fixtures.js';
import { COMPONENTS } from '../types.js';
import { createSnapshotFromPlan } from './create-snapshot.js';
import { exportSnapshot } from './export-snapshot.js';
import { repoPaths } from './layout.js';

// Reads an archive as a Go-side reader would, with nothing of ours: Python's tarfile and hashlib.
const PY_READ = `
import hashlib, json, sys, tarfile
with tarfile.open(sys.argv[1], 'r:gz') as t:
    members = t.getmembers()
    names = [m.name for m in members]
    manifest = json.load(t.extractfile('manifest.json'))
    sums = {m.name: hashlib.sha256(t.extractfile(m).read()).hexdigest() for m in members if m.isfile() and m.name != 'manifest.json'}
print(json.dumps({'last': names[-1], 'files': manifest['files'], 'sums': sums, 'version': manifest['version']}))
`;

describe('snapshot export', () => {
  it('writes a snapshot as a Go-format archive that a foreign reader checks out file by file', async () => {
    const th = tempHome();
    seedHome(th);
    const config = th.config();
    const repoRoot = path.join(config.backupsDir, 'repository');
    const snap = await createSnapshotFromPlan(config, collectSources(config, [...COMPONENTS], false), 'nightly', repoRoot, {});
    const out = path.join(config.backupsDir, 'backup_nightly.tar.gz');
    await exportSnapshot(repoPaths(repoRoot), 'nightly', out);

    const read = JSON.parse(execFileSync('python3', ['-c', PY_READ, out], { encoding: 'utf8' })) as { last: string; version: string; files: { path: string; checksum: string; size: number }[]; sums: Record<string, string> };
    expect(read.last).toBe('manifest.json');
    expect(read.version).toBe('1.0');
    expect(read.files.map((f) => f.path).sort()).toEqual(snap.files.map((f) => f.path).sort());
    for (const f of read.files) {
      expect(read.sums[f.path], f.path).toBe(f.checksum);
      expect(f.checksum, f.path).toBe(snap.files.find((s) => s.path === f.path)!.sha256);
    }
    // Nothing staged is left beside the archive (.manifests is the backups dir's cache: the snapshot's index ids).
    expect(fs.readdirSync(config.backupsDir).filter((n) => n.startsWith('.') && n !== '.manifests')).toEqual([]);
    await expect(exportSnapshot(repoPaths(repoRoot), 'nightly', out)).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
