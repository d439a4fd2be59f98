import path from 'node:path';
import { isGoManifest } from './manifest.js';
import type { Component, Manifest } from './types.js';

/**
 * The Go foxctl names entries `filepath.Rel(home, file)` (joshka0/foxctl
 * internal/storage/backup/service.go, collectFiles), so a storage root, CAS, jobs or
 * observability directory outside the home gives names such as `../../data/storage/memory.db`.
 * Those are never extracted to where they point: each is renamed to the prefix of its component
 * (`storage/memory.db`), which restore maps to the place the current config gives that component.
 */
const PREFIX_OF: Partial<Record<Component, string>> = { databases: 'storage', cas: 'cas', jobs: 'jobs', observability: 'observability' };

/**
 * Subdirectories of a component's root that the Go walk can leave as the only directory of its
 * files (a CAS whose only files are under `sha256/`), so the common directory steps over them.
 */
const INNER_DIRS: Partial<Record<Component, readonly string[]>> = { databases: ['repoindex'], cas: ['sha256', 'pins', 'tmp'], observability: ['events'] };

/** Whether an entry name climbs out of the home (`../x`), after removing `.` segments. */
export function climbs(name: string): boolean {
  return name.split('/').filter((p) => p !== '' && p !== '.')[0] === '..';
}

/** The deepest directory holding every path (posix), or undefined when they share nothing but `/`. */
function commonDir(files: readonly string[]): string | undefined {
  let parts = path.posix.dirname(files[0]!).split('/');
  for (const f of files.slice(1)) {
    const other = path.posix.dirname(f).split('/');
    let i = 0;
    while (i < parts.length && i < other.length && parts[i] === other[i]) i++;
    parts = parts.slice(0, i);
  }
  const dir = parts.join('/');
  return dir === '' ? undefined : dir;
}

/**
 * The archive-path aliases of a Go manifest's climbing entries: raw entry name -> the name under
 * its component's prefix. Only entries that hold together are mapped: a component whose place is
 * configurable, an absolute `original_path` that ends with the entry's own path below its `..`
 * segments, and a place inside the common directory of that component's files. Anything else (a
 * `..` name in `sessions`, a lying `original_path`, a clash with another entry) gets no alias
 * and stays refused as unsafe.
 */
export function goEntryAliases(manifest: Manifest): Map<string, string> {
  const out = new Map<string, string>();
  if (!isGoManifest(manifest)) return out;
  const listed = new Set(manifest.files.map((f) => f.path));
  const byComponent = new Map<Component, { name: string; original: string }[]>();
  for (const f of manifest.files) {
    if (!climbs(f.path) || PREFIX_OF[f.component] === undefined) continue;
    if (/[\\\0]/.test(f.path) || /[\\\0]/.test(f.original_path) || !f.original_path.startsWith('/')) continue;
    const original = path.posix.normalize(f.original_path);
    const segments = f.path.split('/').filter((p) => p !== '' && p !== '.');
    const below = segments.slice(segments.findIndex((p) => p !== '..'));
    // `..` only in front: `../a/../b` is no name filepath.Rel writes.
    if (below.length === 0 || below.length === segments.length || below.includes('..')) continue;
    if (!original.endsWith(`/${below.join('/')}`)) continue;
    const list = byComponent.get(f.component) ?? [];
    list.push({ name: f.path, original });
    byComponent.set(f.component, list);
  }
  for (const [component, files] of byComponent) {
    let root = commonDir(files.map((f) => f.original));
    if (root === undefined) continue;
    if ((INNER_DIRS[component] ?? []).includes(path.posix.basename(root)) && path.posix.dirname(root) !== '/') root = path.posix.dirname(root);
    for (const f of files) {
      const rest = path.posix.relative(root, f.original);
      if (rest === '' || rest.startsWith('..') || path.posix.isAbsolute(rest)) continue;
      if (component === 'databases' && !rest.endsWith('.db')) continue;
      const alias = `${PREFIX_OF[component]!}/${rest}`;
      if (listed.has(alias) || [...out.values()].includes(alias)) continue;
      out.set(f.name, alias);
    }
  }
  return out;
}

/** The manifest with each aliased file's path renamed (its original_path kept). */
export function withAliases(manifest: Manifest, aliases: ReadonlyMap<string, string>): Manifest {
  if (aliases.size === 0) return manifest;
  return { ...manifest, files: manifest.files.map((f) => (aliases.has(f.path) ? { ...f, path: aliases.get(f.path)! } : f)) };
}
