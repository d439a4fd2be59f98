import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { FoxError, throwIfAborted, type OpOptions } from '../../errors.js';
import { mapLimit } from '../../cas/map-limit.js';
import { createS3Client } from '../../cas/s3-client.js';
import { s3Location, type S3Settings } from '../../cas/s3-config.js';
import { isS3NotFound, s3Error } from '../../cas/s3-error.js';
import { fsyncDir } from '../../cas/fs-util.js';
import { ensureDir } from '../../util/ensure-dir.js';
import { BlobReader } from './blob-reader.js';
import { parseList } from './file-blobs.js';
import { loadIndex, writeIndexFile, type IndexPack, type RepoIndex } from './index-file.js';
import { isHexId, packPath, publishFile, sha256Hex, type RepoConfig, type RepoPaths } from './layout.js';
import { acquireLock } from './locks.js';
import { readSnapshot, snapshotPath, type Snapshot } from './snapshot-file.js';

/** What a push or pull moved. */
export interface RepoTransfer {
  snapshot: string;
  packsNeeded: number;
  /** Packs sent (push) or fetched (pull); the rest were there already. */
  packsMoved: number;
  bytesMoved: number;
}

/** Options of push and pull. */
export interface TransferOptions extends OpOptions {
  onProgress?: (done: number, total: number) => void;
}

/** The packs a snapshot's blobs live in, by the index: every list blob is read to find its data blobs. */
async function packsOf(paths: RepoPaths, index: RepoIndex, snap: Snapshot): Promise<Set<string>> {
  const packs = new Set<string>();
  const reader = new BlobReader(paths, index);
  const need = (id: string): void => {
    const loc = index.blobs.get(id);
    if (!loc) throw new FoxError('CORRUPT', `snapshot ${snap.name} names blob ${id}, which no index file holds; run "foxctl backup verify ${snap.name}"`, { subject: paths.root });
    packs.add(loc.pack);
  };
  try {
    for (const f of snap.files) {
      for (const listId of f.content) {
        need(listId);
        for (const id of parseList(await reader.read(listId), listId)) need(id);
      }
    }
  } finally {
    await reader.close();
  }
  return packs;
}

/**
 * A snapshot repository in an S3 bucket, under `<prefix>repository/` (docs/snapshot-repository.md
 * "S3"): the same layout as on disk. Push sends only the packs the bucket lacks (a pack's name is
 * its hash), then an index of the snapshot's packs, then the snapshot last; pull is the mirror and
 * checks every pack's bytes against its name before keeping it.
 */
export class RemoteRepo {
  readonly location: string;
  private readonly client: S3Client;
  private readonly subject: string;
  private readonly root: string;

  constructor(private readonly settings: S3Settings) {
    this.root = `${settings.prefix}repository/`;
    this.location = `${s3Location(settings)}/repository`;
    this.subject = `the backup bucket (${this.location})`;
    this.client = createS3Client(settings);
  }

  private async call<T>(what: string, fn: (c: S3Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.client);
    } catch (err) {
      throw s3Error(err, this.subject, this.settings, what);
    }
  }

  /** Every key under `dir/` of the remote repository, with its size. */
  private async keys(dir: string, opts: OpOptions): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    let token: string | undefined;
    do {
      const page = await this.call('list', (c) => c.send(new ListObjectsV2Command({ Bucket: this.settings.bucket, Prefix: `${this.root}${dir}/`, ContinuationToken: token }), { abortSignal: opts.signal }));
      for (const o of page.Contents ?? []) if (o.Key) out.set(o.Key.slice(this.root.length), o.Size ?? 0);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async get(rel: string, opts: OpOptions): Promise<Buffer | null> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: `${this.root}${rel}` }), { abortSignal: opts.signal });
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (err) {
      if (isS3NotFound(err)) return null;
      throw s3Error(err, this.subject, this.settings, 'pull');
    }
  }

  private async put(rel: string, body: Buffer, opts: OpOptions): Promise<void> {
    const md5 = crypto.createHash('md5').update(body).digest('base64');
    await this.call('push', (c) => c.send(new PutObjectCommand({ Bucket: this.settings.bucket, Key: `${this.root}${rel}`, Body: body, ContentMD5: md5 }), { abortSignal: opts.signal }));
    const head = await this.call('push', (c) => c.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: `${this.root}${rel}` })));
    if (head.ContentLength !== body.length) throw new FoxError('CORRUPT', `${this.subject} stored ${head.ContentLength} bytes for ${rel}, expected ${body.length}`, { subject: this.subject });
  }

  /** The bucket's repository config, or null when nothing was pushed there yet. */
  async remoteConfig(opts: OpOptions = {}): Promise<RepoConfig | null> {
    const bytes = await this.get('config.json', opts);
    if (!bytes) return null;
    try {
      return JSON.parse(bytes.toString('utf8')) as RepoConfig;
    } catch {
      throw new FoxError('CORRUPT', `config.json in ${this.subject} is not JSON`, { subject: this.subject });
    }
  }

  /** The snapshots in the bucket, each as its file says (a file that does not parse is listed with its problem). */
  async snapshots(opts: OpOptions = {}): Promise<{ name: string; snapshot: Snapshot | null; size: number; problem?: string }[]> {
    const keys = await this.keys('snapshots', opts);
    const names = [...keys.keys()].filter((k) => k.endsWith('.json')).map((k) => path.posix.basename(k, '.json'));
    return mapLimit(names, 8, async (name) => {
      const bytes = await this.get(`snapshots/${name}.json`, opts);
      try {
        return { name, snapshot: JSON.parse(bytes?.toString('utf8') ?? '') as Snapshot, size: bytes?.length ?? 0 };
      } catch {
        return { name, snapshot: null, size: bytes?.length ?? 0, problem: `snapshots/${name}.json in ${this.subject} is not valid JSON` };
      }
    });
  }

  /** Whether the bucket holds a snapshot of that name. */
  async hasSnapshot(name: string, opts: OpOptions = {}): Promise<boolean> {
    return (await this.keys('snapshots', opts)).has(`snapshots/${name}.json`);
  }

  /** Pushes one snapshot: missing packs, an index of its packs, then the snapshot file. */
  async push(local: { paths: RepoPaths; config: RepoConfig }, name: string, opts: TransferOptions = {}): Promise<RepoTransfer> {
    const lock = await acquireLock(local.paths, 'backup'); // No prune deletes a pack while it is sent.
    try {
      const snap = await readSnapshot(local.paths, name);
      const index = await loadIndex(local.paths);
      const needed = [...(await packsOf(local.paths, index, snap))];
      const remoteConfig = await this.get('config.json', opts);
      if (remoteConfig && (JSON.parse(remoteConfig.toString('utf8')) as RepoConfig).id !== local.config.id) {
        throw new FoxError('CONFLICT', `${this.subject} holds another repository (id ${(JSON.parse(remoteConfig.toString('utf8')) as RepoConfig).id}); push to another prefix`, { subject: this.subject });
      }
      if (!remoteConfig) await this.put('config.json', Buffer.from(`${JSON.stringify(local.config, null, 2)}\n`), opts);
      const present = await this.keys('packs', opts);
      const missing = needed.filter((p) => !present.has(`packs/${p.slice(0, 2)}/${p}.pack`));
      const total = missing.reduce((n, p) => n + index.packs.get(p)!.size, 0);
      let done = 0;
      await mapLimit(missing, 4, async (p) => {
        throwIfAborted(opts.signal, 'push');
        const bytes = await fs.readFile(packPath(local.paths, p));
        if (sha256Hex(bytes) !== p) throw new FoxError('CORRUPT', `pack ${packPath(local.paths, p)} does not match its name; nothing of it was pushed (run "foxctl backup verify")`, { subject: local.paths.root });
        await this.put(`packs/${p.slice(0, 2)}/${p}.pack`, bytes, opts);
        opts.onProgress?.((done += bytes.length), total);
      });
      const packs: IndexPack[] = needed.map((p) => index.packs.get(p)!);
      const text = `${JSON.stringify({ version: 1, packs })}\n`;
      await this.put(`index/${sha256Hex(text)}.json`, Buffer.from(text), opts);
      throwIfAborted(opts.signal, 'push');
      await this.put(`snapshots/${name}.json`, await fs.readFile(snapshotPath(local.paths, name)), opts);
      return { snapshot: name, packsNeeded: needed.length, packsMoved: missing.length, bytesMoved: total };
    } finally {
      await lock.release();
    }
  }

  /** Pulls one snapshot into the local repository: packs it lacks (checked), an index of them, the snapshot last. */
  async pull(local: { paths: RepoPaths; config: RepoConfig }, name: string, opts: TransferOptions = {}): Promise<RepoTransfer> {
    const snapBytes = await this.get(`snapshots/${name}.json`, opts);
    if (!snapBytes) throw new FoxError('NOT_FOUND', `no snapshot named ${name} in ${this.subject}`, { subject: this.subject });
    const snap = JSON.parse(snapBytes.toString('utf8')) as Snapshot;
    // The remote index: every index file, checked against its name like a local one.
    const remote: RepoIndex = { blobs: new Map(), packs: new Map(), files: [] };
    for (const key of (await this.keys('index', opts)).keys()) {
      const id = path.posix.basename(key, '.json');
      const text = await this.get(key, opts);
      if (!text || !isHexId(id) || sha256Hex(text) !== id) throw new FoxError('CORRUPT', `remote index file ${key} in ${this.subject} does not match its name`, { subject: this.subject });
      for (const p of (JSON.parse(text.toString('utf8')) as { packs: IndexPack[] }).packs) {
        if (!remote.packs.has(p.pack)) remote.packs.set(p.pack, p);
        for (const f of p.frames) for (const b of f.blobs) if (!remote.blobs.has(b.id)) remote.blobs.set(b.id, { pack: p.pack, frame: f, blob: b });
      }
    }
    const lock = await acquireLock(local.paths, 'backup');
    try {
      const localIndex = await loadIndex(local.paths);
      // List blobs are read from the remote packs as they arrive, so fetch in two rounds: lists, then data.
      const fetched: IndexPack[] = [];
      let bytes = 0;
      const fetch = async (packs: Set<string>): Promise<void> => {
        for (const p of packs) {
          throwIfAborted(opts.signal, 'pull');
          if (localIndex.packs.has(p) || fetched.some((f) => f.pack === p)) continue;
          const body = await this.get(`packs/${p.slice(0, 2)}/${p}.pack`, opts);
          if (!body) throw new FoxError('CORRUPT', `pack ${p} is missing from ${this.subject}; nothing of snapshot ${name} was pulled`, { subject: this.subject });
          if (sha256Hex(body) !== p) throw new FoxError('CORRUPT', `pack ${p} in ${this.subject} does not match its name (its bytes changed); nothing of snapshot ${name} was pulled`, { subject: this.subject });
          const file = packPath(local.paths, p);
          await ensureDir(path.dirname(file), 'the snapshot repository');
          await publishFile(file, body);
          await fsyncDir(path.dirname(file));
          fetched.push(remote.packs.get(p)!);
          bytes += body.length;
          opts.onProgress?.(bytes, bytes);
        }
      };
      const lookup = (id: string): string => {
        const loc = localIndex.blobs.get(id) ?? remote.blobs.get(id);
        if (!loc) throw new FoxError('CORRUPT', `snapshot ${name} in ${this.subject} names blob ${id}, which no index holds`, { subject: this.subject });
        return loc.pack;
      };
      await fetch(new Set(snap.files.flatMap((f) => f.content.map(lookup))));
      const merged: RepoIndex = { blobs: new Map([...remote.blobs, ...localIndex.blobs]), packs: new Map([...remote.packs, ...localIndex.packs]), files: [] };
      const reader = new BlobReader(local.paths, merged);
      const data = new Set<string>();
      try {
        for (const f of snap.files) for (const listId of f.content) for (const id of parseList(await reader.read(listId), listId)) data.add(lookup(id));
      } finally {
        await reader.close();
      }
      await fetch(data);
      if (fetched.length > 0) await writeIndexFile(local.paths, fetched);
      await publishFile(snapshotPath(local.paths, name), snapBytes, { exclusive: true });
      return { snapshot: name, packsNeeded: new Set([...data, ...snap.files.flatMap((f) => f.content.map(lookup))]).size, packsMoved: fetched.length, bytesMoved: bytes };
    } finally {
      await lock.release();
    }
  }

  /** Releases the client's sockets. */
  close(): void {
    this.client.destroy();
  }
}
