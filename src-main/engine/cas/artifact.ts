import { FoxError, type OpOptions } from '../errors.js';
import type { CasStore } from './guarded-store.js';

/** The `summary` of an artifactized output (FORMATS.md). */
export interface ArtifactSummary {
  /** The JSON type of the value: object, array, string, number, boolean or null. */
  kind: string;
  size_bytes: number;
  /** Arrays: how many items. */
  items?: number;
  preview: { first_keys: string[]; sample_record: unknown };
}

/** What artifactize returns: the value itself when small, else a summary and the artifact's digest. */
export type Artifactized =
  | { inline: true; data: unknown; meta: Record<string, never> }
  | { inline: false; data: { summary: ArtifactSummary; artifact: string }; meta: { cas_digest: string } };

const FIRST_KEYS = 10;
const SAMPLE_MAX_DEPTH = 3;
const SAMPLE_MAX_ITEMS = 5;
const SAMPLE_MAX_STRING = 200;

function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** A small copy of a value for the preview: long strings cut, lists shortened, depth bounded. */
function shrink(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > SAMPLE_MAX_STRING ? `${v.slice(0, SAMPLE_MAX_STRING)}…` : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth >= SAMPLE_MAX_DEPTH) return Array.isArray(v) ? `[${v.length} items]` : '{…}';
  if (Array.isArray(v)) return v.slice(0, SAMPLE_MAX_ITEMS).map((x) => shrink(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).slice(0, FIRST_KEYS)) out[k] = shrink((v as Record<string, unknown>)[k], depth + 1);
  return out;
}

/** The summary of a value: its type, size, first keys and one shrunk sample record. */
export function summarize(value: unknown, sizeBytes: number): ArtifactSummary {
  const kind = jsonKind(value);
  let first: unknown = value;
  if (Array.isArray(value)) first = value[0] ?? null;
  const keys = first !== null && typeof first === 'object' && !Array.isArray(first) ? Object.keys(first).slice(0, FIRST_KEYS) : [];
  return {
    kind,
    size_bytes: sizeBytes,
    ...(Array.isArray(value) ? { items: value.length } : {}),
    preview: { first_keys: keys, sample_record: Array.isArray(value) || kind !== 'object' ? shrink(first) : shrink(value) },
  };
}

/**
 * Returns a command's output inline when its JSON is at most `inlineKb` KiB, and otherwise stores
 * the JSON in the CAS (kind application/json, tagged `artifact` and `command:<command>`) and
 * returns the envelope data of FORMATS.md with `meta.cas_digest`.
 */
export async function artifactize(store: CasStore, value: unknown, opts: OpOptions & { command: string; inlineKb: number }): Promise<Artifactized> {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new FoxError('INVALID_INPUT', `output of ${opts.command} cannot be written as JSON: ${(err as Error).message}`, { cause: err });
  }
  if (json === undefined) throw new FoxError('INVALID_INPUT', `output of ${opts.command} is not a JSON value`);
  const bytes = Buffer.from(json, 'utf8');
  if (bytes.length <= opts.inlineKb * 1024) return { inline: true, data: value, meta: {} };
  const tags = ['artifact', ...(opts.command ? [`command:${opts.command}`] : [])];
  const put = await store.put(bytes, { kind: 'application/json', tags, signal: opts.signal });
  return { inline: false, data: { summary: summarize(value, bytes.length), artifact: put.digest }, meta: { cas_digest: put.digest } };
}
