import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openSqlite } from '../db/sqlite.js';
import { throwIfAborted } from '../errors.js';
import { scanArchive, type ScanResult } from './archive-reader.js';
import { safeEntryPath } from './entry-paths.js';
import { fileSink } from './file-sink.js';
import { makeStagingDir } from './fs-util.js';
import { MANIFEST_ENTRY } from './manifest.js';
import type { ProgressSink } from './create.js';
import type { Manifest, VerifyFile, VerifyResult } from './types.js';

/**
 * Compares what a scan read with what the manifest promises, file by file: missing entries,
 * wrong sizes, wrong or absent checksums, entries the manifest does not list, unsafe entries.
 */
export function compareWithManifest(scan: ScanResult, manifest: Manifest | undefined): VerifyFile[] {
  const out: VerifyFile[] = [];
  const byPath = new Map(scan.entries.filter((e) => e.path !== undefined).map((e) => [e.path!, e]));
  const listed = new Set<string>();
  for (const f of manifest?.files ?? []) {
    let p: string;
    try {
      p = safeEntryPath(f.path);
    } catch (err) {
      out.push({ path: f.path, component: f.component, size: f.size, status: 'unsafe', detail: (err as Error).message });
      continue;
    }
    listed.add(p);
    const e = byPath.get(p);
    const base = { path: p, component: f.component, size: f.size };
    // Go's Create lists a file it failed to add (addFileToArchive failed) with checksum "".
    if (!e && f.checksum === '') out.push({ ...base, status: 'not_added', detail: 'the Go foxctl listed it but could not add it (checksum "" and no entry): it is not in this backup' });
    else if (!e) out.push({ ...base, status: 'missing', detail: 'listed in the manifest but not in the archive' });
    else if (e.unsafe) out.push({ ...base, status: 'unsafe', detail: e.unsafe });
    else if (e.size !== f.size) out.push({ ...base, status: 'size_mismatch', detail: `the archive holds ${e.size} bytes, the manifest says ${f.size}` });
    else if (e.sha256 !== f.checksum) out.push({ ...base, status: 'checksum_mismatch', detail: f.checksum ? `sha256 ${e.sha256}, the manifest says ${f.checksum}` : 'the manifest has no checksum for it' });
    else out.push({ ...base, status: 'ok' });
  }
  for (const e of scan.entries) {
    if (e.path === MANIFEST_ENTRY || e.type === 'directory') continue;
    if (e.unsafe && (e.path === undefined || !listed.has(e.path))) out.push({ path: e.name, component: null, size: e.size, status: 'unsafe', detail: e.unsafe });
    else if (e.path !== undefined && !listed.has(e.path)) out.push({ path: e.path, component: null, size: e.size, status: 'unexpected', detail: 'in the archive but not listed in the manifest' });
  }
  return out;
}

/** `PRAGMA integrity_check` of a database file; 'ok' or the first problems SQLite reports. */
export function integrityOf(file: string): string {
  try {
    const db = openSqlite(file, { readonly: true, subject: file });
    try {
      const rows = db.prepare('PRAGMA integrity_check(20)').all() as { integrity_check: string }[];
      return rows.map((r) => r.integrity_check).join('; ');
    } finally {
      db.close();
    }
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * Verifies an archive without touching live files: reads it once, checks every file's size and
 * sha256 against the manifest, and runs `PRAGMA integrity_check` on every database inside
 * (extracted to a private temp dir that is removed afterwards). Every problem names its file.
 */
export async function verifyArchive(name: string, file: string, sink: ProgressSink): Promise<VerifyResult> {
  const started = Date.now();
  const staging = makeStagingDir(os.tmpdir(), 'verify');
  const extracted = new Map<string, string>();
  try {
    const scan = await scanArchive(file, {
      signal: sink.signal,
      onProgress: (read, total, entry) => sink.progress?.(read, total, entry),
      sinkFor: async (p) => {
        if (!p.endsWith('.db')) return undefined;
        const tmp = path.join(staging, `${extracted.size}.db`);
        extracted.set(p, tmp);
        return fileSink(tmp, { sync: false });
      },
    });
    const files = compareWithManifest(scan, scan.manifest);
    let databases = 0;
    for (const f of files) {
      const tmp = extracted.get(f.path);
      if (f.status !== 'ok' || tmp === undefined) continue;
      throwIfAborted(sink.signal, 'backup verify');
      sink.progress?.(scan.archiveSize, scan.archiveSize, `integrity_check ${f.path}`);
      databases++;
      const res = integrityOf(tmp);
      if (res !== 'ok') {
        f.status = 'integrity_failed';
        f.detail = `PRAGMA integrity_check: ${res}`;
      }
      fs.rmSync(tmp, { force: true });
    }
    const problems = files.filter((f) => f.status !== 'ok' && f.status !== 'not_added');
    return {
      name,
      path: file,
      ok: problems.length === 0 && scan.problems.length === 0,
      files,
      problems,
      warnings: files.filter((f) => f.status === 'not_added'),
      archive_problems: scan.problems,
      databases_checked: databases,
      bytes: scan.entries.reduce((a, e) => a + e.size, 0),
      duration_ms: Date.now() - started,
    };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
