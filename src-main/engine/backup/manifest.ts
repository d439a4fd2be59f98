import { FoxError } from '../errors.js';
import { parseRfc3339 } from '../util/time.js';
import { COMPONENTS, type BackupProblem, type BackupProblemKind, type Component, type Manifest, type ManifestFile, type SkippedStore } from './types.js';

/** The manifest's entry name: always the archive's last entry. */
export const MANIFEST_ENTRY = 'manifest.json';

/** The format version we write (the Go foxctl's). */
export const MANIFEST_VERSION = '1.0';

/** Parses a component name typed by a user or read from a manifest; unknown names list the valid ones. */
export function parseComponent(raw: string, where = 'component'): Component {
  const c = raw.trim().toLowerCase();
  if (!(COMPONENTS as readonly string[]).includes(c)) {
    throw new FoxError('INVALID_INPUT', `unknown ${where} "${raw}"; valid components: ${COMPONENTS.join(', ')}`);
  }
  return c as Component;
}

/** Parses a list of component names, accepting comma-separated items (`-c databases,cas`). */
export function parseComponents(raw: readonly string[] | undefined): Component[] | undefined {
  if (raw === undefined) return undefined;
  const out = raw.flatMap((r) => r.split(',')).filter((s) => s.trim() !== '').map((s) => parseComponent(s));
  return [...new Set(out)];
}

/**
 * Parses and checks manifest.json. Anything that is not the FORMATS.md shape is CORRUPT with
 * the field named; Go archives (with `agentctl_version`, without `store`) pass.
 */
export function parseManifest(bytes: Buffer, archive: string): Manifest {
  const bad = (why: string): never => {
    throw new FoxError('CORRUPT', `${archive}: manifest.json is invalid: ${why}`, { subject: archive });
  };
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return bad(`not JSON (${(err as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return bad('not a JSON object');
  const m = raw as Record<string, unknown>;
  if (typeof m.version !== 'string') bad('"version" is not a string');
  if (!(m.version as string).startsWith('1.')) bad(`unsupported version "${String(m.version)}" (this build reads 1.x)`);
  if (typeof m.created_at !== 'string' || Number.isNaN(parseRfc3339(m.created_at))) bad('"created_at" is not an RFC 3339 time');
  if (!Array.isArray(m.components)) bad('"components" is not a list');
  const components = (m.components as unknown[]).map((c) => (typeof c === 'string' && (COMPONENTS as readonly string[]).includes(c) ? (c as Component) : bad(`unknown component ${JSON.stringify(c)}`)));
  if (!Array.isArray(m.files)) bad('"files" is not a list');
  const files = (m.files as unknown[]).map((f, i): ManifestFile => {
    if (f === null || typeof f !== 'object') return bad(`files[${i}] is not an object`);
    const e = f as Record<string, unknown>;
    const str = (k: string): string => (typeof e[k] === 'string' ? (e[k] as string) : bad(`files[${i}].${k} is not a string`));
    const size = typeof e.size === 'number' && Number.isInteger(e.size) && e.size >= 0 ? e.size : bad(`files[${i}].size is not a byte count`);
    const component = str('component');
    if (!(COMPONENTS as readonly string[]).includes(component)) bad(`files[${i}].component "${component}" is unknown`);
    const out: ManifestFile = {
      path: str('path'),
      original_path: typeof e.original_path === 'string' ? e.original_path : '',
      size,
      mod_time: typeof e.mod_time === 'string' ? e.mod_time : '',
      // A Go create that failed to add a file still lists it with an empty checksum: verify reports it.
      checksum: typeof e.checksum === 'string' ? e.checksum.toLowerCase() : '',
      component: component as Component,
    };
    if (typeof e.store === 'string') out.store = e.store;
    return out;
  });
  const s = (m.stats ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  const manifest: Manifest = {
    version: m.version as string,
    created_at: m.created_at as string,
    components,
    files,
    stats: { total_files: num(s.total_files), total_size: num(s.total_size), compressed_size: num(s.compressed_size), database_count: num(s.database_count) },
  };
  if (typeof m.agentctl_version === 'string') manifest.agentctl_version = m.agentctl_version;
  if (typeof m.foxctl_version === 'string') manifest.foxctl_version = m.foxctl_version;
  if (Array.isArray(m.skipped_stores)) manifest.skipped_stores = m.skipped_stores as SkippedStore[];
  if (m.check === 'quick' || m.check === 'full') manifest.check = m.check;
  // A status we do not know (a newer writer's) is not "ok": it reads as problems.
  if (typeof m.status === 'string') manifest.status = m.status === 'ok' ? 'ok' : 'completed_with_problems';
  if (Array.isArray(m.problems)) manifest.problems = (m.problems as unknown[]).flatMap(parseProblem);
  return manifest;
}

const PROBLEM_KINDS: readonly BackupProblemKind[] = ['store', 'store_unavailable', 'cas_object'];

/** One recorded problem, kept only with the fields of their type (a foreign kind reads as a store problem). */
function parseProblem(raw: unknown): BackupProblem[] {
  if (raw === null || typeof raw !== 'object') return [];
  const p = raw as Record<string, unknown>;
  if (typeof p.detail !== 'string') return [];
  const kind = PROBLEM_KINDS.includes(p.kind as BackupProblemKind) ? (p.kind as BackupProblemKind) : 'store';
  return [{ kind, ...(typeof p.store === 'string' ? { store: p.store } : {}), path: typeof p.path === 'string' ? p.path : '', ...(typeof p.digest === 'string' ? { digest: p.digest } : {}), detail: p.detail }];
}

/** Who wrote the archive: the newer Go field, else the older one (we write the older); undefined when neither names anyone. */
export function writerOf(m: Manifest): string | undefined {
  const w = [m.foxctl_version, m.agentctl_version].find((v) => v !== undefined && v.trim() !== '');
  return w?.trim();
}

/** Whether the manifest was written by the Go foxctl (it never records a file's store). */
export function isGoManifest(m: Manifest): boolean {
  return !m.files.some((f) => f.store !== undefined) && m.skipped_stores === undefined;
}
