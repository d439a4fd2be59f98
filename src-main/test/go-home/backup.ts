// Go-side bytes of a backup archive, written by python3 the way the Go foxctl writes them.
// Imitates joshka0/foxctl internal/storage/backup/service.go at commit
// 39ea5c6cc729236d0a34f1721324bb2c2c48fa6f (the newest stored version, where the manifest's
// writer field became FoxctlVersion): Service.Create, collectFiles and addFileToArchive, with
// the Manifest / FileEntry / BackupStats structs of internal/domain/backup/backup.go.
// The JSON name of FoxctlVersion is not in the code index at that commit; `foxctl_version` is
// inferred from the rename of `AgentctlVersion` / `agentctl_version` (see manifest.ts).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** One file a Go backup collects: its component and where it was on disk. */
export interface GoBackupFile {
  component: 'databases' | 'cas' | 'memory' | 'sessions' | 'jobs' | 'observability';
  /** Absolute path of the source file (original_path); read for its bytes, size and mtime. */
  original: string;
  /** Listed but not added (addFileToArchive failed after collectFiles saw it): checksum "", no entry. */
  vanished?: { size: number };
}

/** Options of writeGoBackupArchive. */
export interface GoBackupOptions {
  /** cfg.Home of the Go process: entry names are filepath.Rel(home, original). */
  home: string;
  /** The archive to write. */
  out: string;
  files: GoBackupFile[];
  /** buildinfo.Current().Version; the manifest field name (newest Go: foxctl_version). */
  writerVersion?: string;
  writerField?: 'foxctl_version' | 'agentctl_version';
  /** Go's components list (Create's components after exclusions). */
  components?: string[];
}

// python3 does what Service.Create does: tar.gz of the files in order (header Name = rel path,
// Size, Mode = file perm, ModTime; regular files), then manifest.json last (mode 0644), marshalled
// like json.MarshalIndent(manifest, "", "  ") with Go's field order and RFC 3339 nano times
// (time.Time's MarshalJSON: trailing zeros trimmed, "Z" for UTC).
const SCRIPT = String.raw`
import gzip, hashlib, io, json, os, sys, tarfile, time
spec = json.load(sys.stdin)
home = spec['home']
def rfc3339nano(ns, utc):
    secs, frac = divmod(ns, 1_000_000_000)
    if utc:
        t = time.gmtime(secs); off = 0
    else:
        t = time.localtime(secs); off = t.tm_gmtoff
    s = time.strftime('%Y-%m-%dT%H:%M:%S', t)
    if frac:
        s += ('.%09d' % frac).rstrip('0')
    if off == 0:
        return s + 'Z'
    sign = '+' if off > 0 else '-'
    off = abs(off)
    return s + '%s%02d:%02d' % (sign, off // 3600, (off % 3600) // 60)
buf = io.BytesIO()
tw = tarfile.open(fileobj=buf, mode='w', format=tarfile.PAX_FORMAT)
files = []
total = 0
dbs = 0
for f in spec['files']:
    orig = f['original']
    rel = os.path.relpath(orig, home)  # filepath.Rel(s.cfg.Home, path)
    if f.get('vanished'):
        files.append({'path': rel, 'original_path': orig, 'size': f['vanished']['size'], 'mod_time': rfc3339nano(time.time_ns(), False), 'checksum': '', 'component': f['component']})
        continue
    st = os.stat(orig)
    data = open(orig, 'rb').read()
    ti = tarfile.TarInfo(rel)
    ti.size = len(data)
    ti.mode = st.st_mode & 0o777
    ti.mtime = st.st_mtime
    ti.type = tarfile.REGTYPE
    ti.uname = ti.gname = ''
    ti.uid = ti.gid = 0
    tw.addfile(ti, io.BytesIO(data))
    files.append({'path': rel, 'original_path': orig, 'size': st.st_size, 'mod_time': rfc3339nano(st.st_mtime_ns, False), 'checksum': hashlib.sha256(data).hexdigest(), 'component': f['component']})
    total += st.st_size
    if rel.endswith('.db'):
        dbs += 1
manifest = {'version': '1.0', 'created_at': rfc3339nano(time.time_ns(), True)}
manifest[spec['writer_field']] = spec['writer_version']
manifest['components'] = spec['components']
manifest['files'] = files
manifest['stats'] = {'total_files': len(files), 'total_size': total, 'compressed_size': 0, 'database_count': dbs}
data = json.dumps(manifest, indent=2, ensure_ascii=False).encode('utf-8')
ti = tarfile.TarInfo('manifest.json')
ti.size = len(data)
ti.mode = 0o644
ti.mtime = time.time()
ti.uname = ti.gname = ''
tw.addfile(ti, io.BytesIO(data))
tw.close()
os.makedirs(os.path.dirname(spec['out']), exist_ok=True)
with open(spec['out'], 'wb') as out:
    out.write(gzip.compress(buf.getvalue()))
`;

/** Writes a backup archive as the Go foxctl's Service.Create does (python3 tarfile + gzip). */
export function writeGoBackupArchive(opts: GoBackupOptions): void {
  const spec = {
    home: opts.home,
    out: opts.out,
    files: opts.files,
    writer_field: opts.writerField ?? 'foxctl_version',
    writer_version: opts.writerVersion ?? 'v1.4.0',
    components: opts.components ?? ['databases', 'cas', 'memory', 'sessions', 'jobs', 'observability'],
  };
  const r = spawnSync('python3', ['-c', SCRIPT], { input: JSON.stringify(spec), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3 could not write the Go backup archive: ${r.stderr}`);
  if (!fs.existsSync(opts.out)) throw new Error(`python3 wrote no archive at ${path.resolve(opts.out)}`);
}
