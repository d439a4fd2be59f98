import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ulid } from 'ulid';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, isFoxError, throwIfAborted, type OpOptions } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/manager.js';
import { mapLimit } from '../cas/map-limit.js';
import { createS3Client } from '../cas/s3-client.js';
import { s3Location, type S3Overrides, type S3Settings } from '../cas/s3-config.js';
import { isS3NotFound, s3Error } from '../cas/s3-error.js';
import { nowRfc3339 } from '../util/time.js';
import { readManifest } from './catalog.js';
import { fsyncDir } from './fs-util.js';
import { archiveFileName, resolveArchive, validateName } from './names.js';
import { resolveBackupS3Settings } from './remote-settings.js';
import { hasLocalSnapshot, listRemoteSnapshots, pullSnapshot, pushSnapshot, type SnapshotTransfer } from './remote-snapshots.js';

/** The record kept beside each pushed archive (`<key>.json`): what pull checks the bytes against. */
export interface RemoteBackup {
  name: string;
  file: string;
  key: string;
  size: number;
  /** SHA-256 (hex) of the archive's bytes. */
  sha256: string;
  created_at: string | null;
  components: string[];
  pushed_at: string;
  pushed_from: string;
  /** Why the entry is unusable (an archive without its record); absent when fine. */
  problem?: string;
  /** A Go tar.gz archive, or a snapshot of the repository (absent in records pushed before snapshots). */
  format?: 'tar' | 'snapshot';
}

/** What push and pull did. `transferred` false: the same bytes were already there. */
export interface RemoteTransfer {
  name: string;
  path: string;
  remote: string;
  size: number;
  sha256: string;
  transferred: boolean;
  format?: 'tar' | 'snapshot';
}

/** Options of push and pull. */
export interface RemoteOptions extends OpOptions {
  /** Replace a different archive of the same name at the destination. */
  force?: boolean | undefined;
  /** Bytes moved so far and the total. */
  onProgress?: ((done: number, total: number) => void) | undefined;
  /** Values set in the app (credentials) over env. */
  overrides?: S3Overrides | undefined;
}

function hashing(hash: ReturnType<typeof createHash>, onBytes: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      onBytes((n += chunk.length));
      cb(null, chunk);
    },
  });
}

/** Backups in an S3 bucket: push, pull and list, each naming the bucket in its errors. */
export class RemoteBackups {
  readonly location: string;
  private readonly subject: string;
  private readonly client: S3Client;

  constructor(
    private readonly config: FoxConfig,
    private readonly settings: S3Settings,
  ) {
    this.location = s3Location(settings);
    this.subject = `the backup bucket (${this.location})`;
    this.client = createS3Client(settings);
  }

  private key(name: string): string {
    return `${this.settings.prefix}${archiveFileName(name)}`;
  }

  private async call<T>(what: string, fn: (c: S3Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (err) {
      throw s3Error(err, this.subject, this.settings, what);
    }
  }

  /** The record of a pushed backup, or null when there is none. */
  async record(name: string, opts: OpOptions = {}): Promise<RemoteBackup | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: `${this.key(name)}.json` }), { abortSignal: opts.signal });
      return JSON.parse((await r.Body?.transformToString('utf8')) ?? '') as RemoteBackup;
    } catch (err) {
      if (isS3NotFound(err)) return null;
      if (err instanceof SyntaxError) throw new FoxError('CORRUPT', `the record of remote backup "${name}" in ${this.subject} is not valid JSON`, { subject: this.subject });
      throw s3Error(err, this.subject, this.settings, 'backup list --remote');
    }
  }

  /** Pushed backups, newest first; an archive without its record is listed with a problem. */
  async list(opts: OpOptions = {}): Promise<RemoteBackup[]> {
    const keys = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await this.call('backup list --remote', (c) => c.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: this.settings.prefix, ContinuationToken: token }), { abortSignal: opts.signal }));
      for (const o of page.Contents ?? []) if (o.Key) keys.set(o.Key, o.Size ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    const archives = [...keys.keys()].filter((k) => k.endsWith('.tar.gz') && path.posix.basename(k).startsWith('backup_'));
    const out = await mapLimit(archives, 8, async (key): Promise<RemoteBackup> => {
      const name = path.posix.basename(key).slice('backup_'.length, -'.tar.gz'.length);
      const rec = keys.has(`${key}.json`) ? await this.record(name, opts) : null;
      return rec ?? { name, file: path.posix.basename(key), key, size: keys.get(key) ?? 0, sha256: '', created_at: null, components: [], pushed_at: '', pushed_from: '', problem: 'no checksum record: the push did not finish; push it again' };
    });
    const snapshots: RemoteBackup[] = await listRemoteSnapshots(this.settings, opts);
    return [...out.map((b) => ({ ...b, format: 'tar' as const })), ...snapshots].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? '') || a.name.localeCompare(b.name));
  }

  /** Uploads a local backup (streamed, multipart when large) and then its record with the checksum. */
  async push(nameOrPath: string, opts: RemoteOptions = {}): Promise<RemoteTransfer | SnapshotTransfer> {
    // A snapshot goes as packs the bucket lacks; a name held by both forms is the archive's (as before snapshots).
    if (hasLocalSnapshot(this.config, nameOrPath) && !archiveExists(this.config, nameOrPath)) return pushSnapshot(this.config, this.settings, nameOrPath, opts);
    const { name, path: file } = resolveArchive(this.config, nameOrPath);
    const key = this.key(validateName(name));
    const size = fs.statSync(file).size;
    const { manifest } = await readManifest(file, opts.signal);
    const hash = createHash('sha256');
    // Hashed first, so that an archive already pushed with the same bytes is not sent again.
    await pipeline(fs.createReadStream(file), hashing(hash, () => undefined), new PassThrough().resume(), { signal: opts.signal });
    const sha256 = hash.digest('hex');
    const existing = await this.record(name, opts);
    if (existing && existing.sha256 === sha256 && existing.size === size) return { name, path: file, remote: key, size, sha256, transferred: false };
    if (existing && !opts.force) {
      throw new FoxError('CONFLICT', `remote backup "${name}" in ${this.subject} holds different bytes (sha256 ${existing.sha256.slice(0, 12)}…); push with --force to replace it`, { subject: this.subject });
    }
    const check = createHash('sha256');
    const body = fs.createReadStream(file).pipe(hashing(check, (n) => opts.onProgress?.(n, size)));
    const upload = new Upload({ client: this.client, params: { Bucket: this.settings.bucket, Key: key, Body: body, ContentType: 'application/gzip' }, partSize: 8 << 20, queueSize: 4 });
    const onAbort = (): void => void upload.abort().catch(() => undefined);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.call('backup push', () => upload.done());
    } catch (err) {
      throwIfAborted(opts.signal, 'backup push');
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    if (check.digest('hex') !== sha256) throw new FoxError('CONFLICT', `${file} changed while it was pushed; push it again`, { subject: file });
    const head = await this.call('backup push', (c) => c.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: key })));
    if (head.ContentLength !== size) throw new FoxError('CORRUPT', `${this.subject} stored ${head.ContentLength} bytes for ${key}, expected ${size}`, { subject: this.subject });
    const rec: RemoteBackup = { name, file: archiveFileName(name), key, size, sha256, created_at: manifest?.created_at ?? null, components: manifest?.components ?? [], pushed_at: nowRfc3339(), pushed_from: os.hostname() };
    await this.call('backup push', (c) => c.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: `${key}.json`, Body: JSON.stringify(rec, null, 2), ContentType: 'application/json' })));
    return { name, path: file, remote: key, size, sha256, transferred: true, format: 'tar' };
  }

  /**
   * Downloads a pushed backup into the backups dir: into a temp file, hashed on the way, renamed
   * into place only when size and SHA-256 match the record (else CORRUPT, nothing kept).
   */
  async pull(rawName: string, opts: RemoteOptions = {}): Promise<RemoteTransfer | SnapshotTransfer> {
    const name = validateName(rawName.replace(/^backup_/, '').replace(/\.tar\.gz$/, ''));
    const rec = await this.record(name, opts);
    if (!rec) {
      if (name === rawName && (await listRemoteSnapshots(this.settings, opts)).some((s) => s.name === name)) return pullSnapshot(this.config, this.settings, name, opts);
      throw new FoxError('NOT_FOUND', `no remote backup "${name}" in ${this.subject} (neither an archive nor a snapshot); run "foxctl backup list --remote"`, { subject: this.subject });
    }
    const dest = path.join(this.config.backupsDir, archiveFileName(name));
    if (fs.existsSync(dest)) {
      const local = createHash('sha256');
      await pipeline(fs.createReadStream(dest), hashing(local, () => undefined), new PassThrough().resume(), { signal: opts.signal });
      if (local.digest('hex') === rec.sha256) return { name, path: dest, remote: rec.key, size: rec.size, sha256: rec.sha256, transferred: false };
      if (!opts.force) throw new FoxError('CONFLICT', `${dest} exists with different bytes; pull with --force to replace it`, { subject: dest });
    }
    fs.mkdirSync(this.config.backupsDir, { recursive: true });
    const tmp = path.join(this.config.backupsDir, `.${archiveFileName(name)}.${ulid()}.foxctl-tmp`);
    const hash = createHash('sha256');
    try {
      const r = await this.call('backup pull', (c) => c.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: rec.key }), { abortSignal: opts.signal }));
      const out = fs.createWriteStream(tmp, { flags: 'wx' });
      try {
        await pipeline(r.Body as NodeJS.ReadableStream, hashing(hash, (n) => opts.onProgress?.(n, rec.size)), out, { signal: opts.signal });
      } catch (err) {
        throwIfAborted(opts.signal, 'backup pull');
        throw isFoxError(err) ? err : s3Error(err, this.subject, this.settings, 'backup pull');
      }
      const sha256 = hash.digest('hex');
      const size = fs.statSync(tmp).size;
      if (sha256 !== rec.sha256 || size !== rec.size) {
        throw new FoxError('CORRUPT', `remote backup "${name}" in ${this.subject} does not match its record: got ${size} bytes sha256 ${sha256}, expected ${rec.size} bytes sha256 ${rec.sha256}; nothing was kept`, { subject: this.subject });
      }
      const fd = fs.openSync(tmp, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, dest);
      fsyncDir(this.config.backupsDir);
      return { name, path: dest, remote: rec.key, size, sha256, transferred: true, format: 'tar' };
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }

  /** Releases the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}

/** Whether a name or path resolves to a local archive. */
function archiveExists(config: FoxConfig, nameOrPath: string): boolean {
  try {
    resolveArchive(config, nameOrPath);
    return true;
  } catch {
    return false;
  }
}

/** The remote backups of a config: FOXCTL_BACKUP_S3_* / FOXCTL_CAS_S3_* (remote-settings.ts). */
export function openRemoteBackups(config: FoxConfig, overrides: S3Overrides = {}): RemoteBackups {
  return new RemoteBackups(config, resolveBackupS3Settings(config.env, overrides));
}

/** What the push/pull jobs need of the engine. */
export interface RemoteBackupHost {
  config: FoxConfig;
  jobs: JobManager;
}

function startTransfer(host: RemoteBackupHost, kind: 'push' | 'pull', name: string, opts: RemoteOptions): JobHandle<RemoteTransfer | SnapshotTransfer> {
  // Settings are checked now, so a missing bucket fails before a job is recorded.
  const remote = openRemoteBackups(host.config, opts.overrides);
  return host.jobs.start({ kind: `backup.${kind}`, title: `backup ${kind} ${name}`, unit: 'bytes', signal: opts.signal }, async (ctx) => {
    try {
      const o = {
        ...opts,
        signal: ctx.signal,
        onProgress: (d: number, t: number) => {
          ctx.progress(d, t);
          opts.onProgress?.(d, t);
        },
      };
      return await (kind === 'push' ? remote.push(name, o) : remote.pull(name, o));
    } finally {
      remote.close();
    }
  });
}

/** `backup push NAME` as a job with progress in bytes. */
export function startBackupPush(host: RemoteBackupHost, name: string, opts: RemoteOptions = {}): JobHandle<RemoteTransfer | SnapshotTransfer> {
  return startTransfer(host, 'push', name, opts);
}

/** `backup pull NAME` as a job with progress in bytes. */
export function startBackupPull(host: RemoteBackupHost, name: string, opts: RemoteOptions = {}): JobHandle<RemoteTransfer | SnapshotTransfer> {
  return startTransfer(host, 'pull', name, opts);
}
