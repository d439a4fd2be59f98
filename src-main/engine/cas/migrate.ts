import fs from 'node:fs';
import path from 'node:path';
import { expandPath, type FoxConfig } from '../config/resolve.js';
import { FoxError, isFoxError, throwIfAborted, toFoxError, type OpOptions } from '../errors.js';
import type { JobHandle, JobManager } from '../jobs/manager.js';
import { CAS_DRIVERS, createCasBackend, type CasOverrides } from './create.js';
import { createFileBackend } from './file-backend.js';
import { CasStore } from './guarded-store.js';
import { mapLimit } from './map-limit.js';
import { createSqliteBackend } from './sqlite-backend.js';
import type { CasObject } from './types.js';

/** Options of a migration. */
export interface CasMigrateOptions extends OpOptions {
  /** Objects copied at once (default 4: remote backends are latency-bound). */
  concurrency?: number | undefined;
  /** Objects handled so far, the total, and the object just handled. */
  onProgress?: ((done: number, total: number, message?: string) => void) | undefined;
}

/** One object that could not be copied, and why. */
export interface CasMigrateFailure {
  digest: string;
  code: string;
  message: string;
}

/** What `cas migrate` did (issue 7). */
export interface CasMigrateResult {
  from: string;
  to: string;
  objects_migrated: number;
  objects_skipped: number;
  bytes_migrated: number;
  /** How many objects failed (details in `failures`); the others were copied. */
  errors: number;
  failures: CasMigrateFailure[];
  /** Objects already in the target that were pinned there because they are pinned in the source. */
  pins_added: number;
}

/**
 * Copies every object of `source` into `target`. Objects the target already has are skipped
 * (and pinned there when pinned in the source); the rest stream from the source's verified read
 * into the target's hashing put, so a corrupt source object fails alone (CORRUPT) and is never
 * filed, and the target's digest must equal the source's. Kind, tags and pins are kept; the
 * target's created_at is the migration time (so a migrated object's gc grace starts afresh).
 * Cancelling stops between objects; what was copied stays, and a rerun skips it.
 */
export async function migrateCas(source: CasStore, target: CasStore, opts: CasMigrateOptions = {}): Promise<CasMigrateResult> {
  const res: CasMigrateResult = { from: source.subject, to: target.subject, objects_migrated: 0, objects_skipped: 0, bytes_migrated: 0, errors: 0, failures: [], pins_added: 0 };
  const objects = await source.listAll({ sort: 'digest' }, opts);
  await target.open(opts);
  let done = 0;
  opts.onProgress?.(0, objects.length);
  await mapLimit(objects, opts.concurrency ?? 4, async (o: CasObject) => {
    throwIfAborted(opts.signal, 'cas migrate');
    try {
      await copyOne(source, target, o, res, opts.signal);
    } catch (err) {
      if (opts.signal?.aborted || isFoxError(err, 'CANCELED')) throw err;
      const f = toFoxError(err, `migrating ${o.digest}`);
      res.errors++;
      res.failures.push({ digest: o.digest, code: f.code, message: f.message });
    }
    opts.onProgress?.(++done, objects.length, o.digest);
  });
  return res;
}

async function copyOne(source: CasStore, target: CasStore, o: CasObject, res: CasMigrateResult, signal: AbortSignal | undefined): Promise<void> {
  if (await target.has(o.digest, { signal })) {
    if (o.pinned && !(await target.head(o.digest, { signal })).pinned) {
      await target.pin(o.digest, { signal });
      res.pins_added++;
    }
    res.objects_skipped++;
    return;
  }
  const got = await source.get(o.digest, { signal });
  const put = await target.put(got.stream, { kind: o.kind, tags: o.tags, pin: o.pinned, signal });
  if (put.digest !== o.digest) {
    // Cannot happen unless a backend misbehaves: the source stream is verified, the target hashes what it stored.
    throw new FoxError('CORRUPT', `${o.digest} arrived in ${target.subject} as ${put.digest}`, { subject: target.subject });
  }
  res.objects_migrated++;
  res.bytes_migrated += put.size_bytes;
}

/** What startCasMigrate needs from the engine. */
export interface CasMigrateHost {
  config: FoxConfig;
  jobs: JobManager;
  cas: { store: CasStore };
}

/**
 * The store of `--to` / `--from`: a backend name (the same config with FOXCTL_CAS_DRIVER set to
 * it), or a place by its path as `cas stats` lists it: a directory is a file store, a file (or a
 * new name ending in .db) a sqlite CAS. Paths resolve from the working directory, `~` expands.
 */
export function openMigrationTarget(config: FoxConfig, to: string, overrides: CasOverrides = {}, flag = '--to'): CasStore {
  const spec = to.trim();
  const driver = spec.toLowerCase();
  if ((CAS_DRIVERS as readonly string[]).includes(driver)) return new CasStore(createCasBackend({ ...config, casDriver: driver }, overrides));
  if (!/[\\/]/.test(spec) && !spec.startsWith('~') && !spec.endsWith('.db')) {
    throw new FoxError('INVALID_INPUT', `unknown CAS backend "${to}" for ${flag}; valid backends: ${CAS_DRIVERS.join(', ')}, or the path of a file store (a directory) or of a sqlite CAS (a .db file)`);
  }
  const place = expandPath(spec, process.cwd(), config.env);
  const st = fs.statSync(place, { throwIfNoEntry: false });
  if (st?.isDirectory()) return new CasStore(createFileBackend({ dir: place }));
  if (st?.isFile() || (!st && place.endsWith('.db'))) return new CasStore(createSqliteBackend({ file: place }));
  if (st) throw new FoxError('INVALID_INPUT', `${flag} ${to}: ${place} is neither a directory (file store) nor a file (sqlite CAS)`);
  return new CasStore(createFileBackend({ dir: place }));
}

/** Options of startCasMigrate. */
export interface StartCasMigrateOptions extends CasMigrateOptions {
  overrides?: CasOverrides;
  /** The source (a backend name or a place's path, as --to); default: the configured CAS. */
  from?: string | undefined;
}

/**
 * `cas migrate [--from X] --to Y` as a job with progress in objects. Merges one store into
 * another: every object is re-hashed on the way (verified read, hashing put), objects already
 * there are skipped, so a rerun is a no-op, and nothing is ever removed from the source. Stores
 * opened here are closed at the end.
 */
export function startCasMigrate(host: CasMigrateHost, to: string, opts: StartCasMigrateOptions = {}): JobHandle<CasMigrateResult> {
  const source = opts.from === undefined ? host.cas.store : openMigrationTarget(host.config, opts.from, opts.overrides, '--from');
  const ownSource = source !== host.cas.store;
  const target = openMigrationTarget(host.config, to, opts.overrides);
  if (target.backend.name === source.backend.name && path.resolve(target.backend.location) === path.resolve(source.backend.location)) {
    void target.close();
    if (ownSource) void source.close();
    throw new FoxError(
      'INVALID_INPUT',
      opts.from === undefined
        ? `--to ${to}: the CAS already uses ${source.subject}; configure the target backend's variables (FORMATS.md) and migrate to another one`
        : `--from ${opts.from} and --to ${to} are the same store (${source.subject})`,
    );
  }
  return host.jobs.start({ kind: 'cas.migrate', title: `cas migrate ${ownSource ? `from ${source.backend.location} ` : ''}to ${target.backend.name === 'file' || target.backend.name === 'sqlite' ? target.backend.location : target.backend.name}`, unit: 'objects', signal: opts.signal }, async (ctx) => {
    try {
      return await migrateCas(source, target, { ...opts, signal: ctx.signal, onProgress: (d, t, m) => {
          ctx.progress(d, t, m);
          opts.onProgress?.(d, t, m);
        } });
    } finally {
      await target.close();
      if (ownSource) await source.close();
    }
  });
}
