// The frame every restore runs in, whatever the backup's format: the target resolved, the
// restore lock held, the temp files and directories it makes tracked, and all of them removed
// again however it ends (a restore that changed nothing leaves no trace).
import fs from 'node:fs';
import path from 'node:path';
import type { FoxConfig } from '../config/resolve.js';
import { FoxError, toFoxError } from '../errors.js';
import { storePath } from '../registry/paths.js';
import { STORES } from '../registry/stores.js';
import type { ProgressSink } from './create.js';
import { archiveRoots } from './entry-paths.js';
import { isInside, removeLeftovers, tempNameFor } from './fs-util.js';
import { removeSideFiles } from './restore-db.js';
import { acquireRestoreLock } from './restore-lock.js';
import type { RestoreOptions, RestoreResult } from './types.js';

/** What restore needs of the engine: its config and a way to close its connection to a file. */
export interface RestoreHost {
  config: FoxConfig;
  closeFile(file: string): boolean;
}

/** Options of one restore run: the user's, plus what rehearse sets for its throwaway tree. */
export type RunOptions = RestoreOptions & {
  /** false skips the fsyncs (a throwaway tree, as rehearse makes). */
  durable?: boolean;
  /** false leaves the integrity checking to the caller (rehearse runs integrity_check itself). */
  checkDatabases?: boolean;
};

/** The state one restore shares between its extract and install phases. */
export interface RestoreRun {
  host: RestoreHost;
  name: string;
  opts: RunOptions;
  /** The --target directory, or undefined for the live home. */
  target: string | undefined;
  sink: ProgressSink;
  /** Whether a destination is in the live home (its databases get the in-use and safety rules). */
  isLive(dest: string): boolean;
  /** Entry path -> its checked temp file next to its destination. */
  temps: Map<string, string>;
  /** Directories this restore created (removed again when nothing changed). */
  madeDirs: string[];
  /** Set once the first live file changed: from then on the restore runs to the end. */
  changed: boolean;
  /** Directories whose leftover temps of dead restores were already removed. */
  cleaned: Set<string>;
}

/** The real path of `p`, resolving the part that exists (so a file not created yet still maps through symlinked dirs). */
export function realish(p: string): string {
  const rest: string[] = [];
  for (let cur = path.resolve(p); ; cur = path.dirname(cur)) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch {
      if (path.dirname(cur) === cur) return path.resolve(p);
      rest.push(path.basename(cur));
    }
  }
}

/** The live places of a home (real paths): what a restore must treat with care. */
function liveRoots(config: FoxConfig): string[] {
  const dirs = [config.home, ...archiveRoots(config).map((r) => r.dir), ...STORES.filter((d) => !d.keyed).map((d) => storePath(config, d))];
  return [...new Set(dirs.map(realish))];
}

/** Creates the missing directories up to `dir`, recording the ones it made (removed again on failure). */
export function mkdirTracked(dir: string, made: string[]): void {
  const missing: string[] = [];
  for (let cur = dir; !fs.existsSync(cur); cur = path.dirname(cur)) {
    missing.push(cur);
    if (path.dirname(cur) === cur) break;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
      made.push(d);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw toFoxError(err, d);
    }
  }
}

/**
 * A new temp file name next to `dest` for the entry `entryPath` (same directory, so installing it
 * is a rename), recorded in the run; the directory is made and cleared of dead restores' temps.
 */
export function stageTemp(run: RestoreRun, entryPath: string, dest: string): string {
  const dir = path.dirname(dest);
  mkdirTracked(dir, run.madeDirs);
  if (!run.cleaned.has(dir)) {
    run.cleaned.add(dir);
    removeLeftovers(dir);
  }
  const tmp = tempNameFor(dest, 'restore');
  run.temps.set(entryPath, tmp);
  return tmp;
}

/**
 * Runs one restore: resolves --target (the live home reached through a symlink or `..` is a live
 * restore), takes the restore lock of the home or target (one restore at a time, CONFLICT), runs
 * `body`, and removes every temp it left and, when nothing changed, every directory it made.
 */
export async function runRestore(host: RestoreHost, name: string, opts: RunOptions, sink: ProgressSink, body: (run: RestoreRun) => Promise<RestoreResult>): Promise<RestoreResult> {
  const config = host.config;
  let target = opts.target === undefined ? undefined : path.resolve(opts.target);
  if (target !== undefined && fs.existsSync(target) && !fs.statSync(target).isDirectory()) {
    throw new FoxError('INVALID_INPUT', `--target ${opts.target} is not a directory`);
  }
  // A --target that is the live home (through a symlink, a trailing slash, ..) is a live restore.
  if (target !== undefined && realish(target) === realish(config.home)) target = undefined;
  const live = liveRoots(config);
  // A restore asks about every file, often twice: the real path of each directory is resolved
  // once; a destination that is itself a symlink is resolved whole.
  const realDirs = new Map<string, string>();
  const realDest = (dest: string): string => {
    const abs = path.resolve(dest);
    let link = false;
    try {
      link = fs.lstatSync(abs).isSymbolicLink();
    } catch {
      // Not there yet: its directory decides.
    }
    if (link) return realish(abs);
    const dir = path.dirname(abs);
    let real = realDirs.get(dir);
    if (real === undefined) realDirs.set(dir, (real = realish(dir)));
    return path.join(real, path.basename(abs));
  };
  const run: RestoreRun = {
    host,
    name,
    opts,
    target,
    sink,
    isLive: (dest) => {
      const real = realDest(dest);
      return live.some((root) => isInside(real, root));
    },
    temps: new Map(),
    madeDirs: [],
    changed: false,
    cleaned: new Set(),
  };
  if (!opts.dryRun) mkdirTracked(target ?? config.home, run.madeDirs);
  let release: () => void;
  try {
    release = opts.dryRun ? () => undefined : acquireRestoreLock(target ?? config.home, name);
  } catch (err) {
    for (const d of run.madeDirs.reverse()) fs.rmdirSync(d);
    throw err;
  }
  try {
    return await body(run);
  } finally {
    for (const tmp of run.temps.values()) {
      fs.rmSync(tmp, { force: true });
      removeSideFiles(tmp);
    }
    release();
    // A restore that changed nothing leaves no trace: not even the directories it made for temps.
    if (!run.changed) {
      for (const d of run.madeDirs.reverse()) {
        try {
          fs.rmdirSync(d);
        } catch {
          // Not empty: something else put a file there meanwhile; it stays.
        }
      }
    }
  }
}
