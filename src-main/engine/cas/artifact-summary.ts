/**
 * The human sentence of an artifactized output (`data.summary`, as in the product spec's "Evidence
 * bundle with 247 records across 3 files"), and the structured outline kept beside it.
 *
 * Go (joshka0/foxctl internal/runservice/result.go, extractSummary, commit 249212727f) uses the
 * envelope's own `data.summary` or `data.preview` string, cut to 500 runes, and otherwise a
 * generic "Output exceeded NKB inline limit"; we keep its first two rules and describe the
 * data's shape instead of the generic line.
 */

/** Longest summary in runes (Go cuts at 500: 497 and "..."). */
const MAX_RUNES = 500;

/** The structured outline of an output (`data.details`; not read by Go). */
export interface ArtifactDetails {
  /** The JSON type of `data`: object, array, string, number, boolean or null. */
  kind: string;
  size_bytes: number;
  /** Arrays: how many items. */
  items?: number;
  preview: { first_keys: string[]; sample_record: unknown };
}

const FIRST_KEYS = 10;
const SAMPLE_MAX_DEPTH = 3;
const SAMPLE_MAX_ITEMS = 5;
const SAMPLE_MAX_STRING = 200;

function jsonKind(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A small copy of a value for the outline: long strings cut, lists shortened, depth bounded. */
function shrink(v: unknown, depth = 0): unknown {
  if (typeof v === 'string') return v.length > SAMPLE_MAX_STRING ? `${v.slice(0, SAMPLE_MAX_STRING)}…` : v;
  if (v === null || typeof v !== 'object') return v;
  if (depth >= SAMPLE_MAX_DEPTH) return Array.isArray(v) ? `[${v.length} items]` : '{…}';
  if (Array.isArray(v)) return v.slice(0, SAMPLE_MAX_ITEMS).map((x) => shrink(x, depth + 1));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).slice(0, FIRST_KEYS)) out[k] = shrink((v as Record<string, unknown>)[k], depth + 1);
  return out;
}

/** The outline of a value: its type, size, first keys and one shrunk sample record. */
export function outlineOf(value: unknown, sizeBytes: number): ArtifactDetails {
  const kind = jsonKind(value);
  const first: unknown = Array.isArray(value) ? (value[0] ?? null) : value;
  return {
    kind,
    size_bytes: sizeBytes,
    ...(Array.isArray(value) ? { items: value.length } : {}),
    preview: { first_keys: isRecord(first) ? Object.keys(first).slice(0, FIRST_KEYS) : [], sample_record: shrink(first) },
  };
}

/** Cuts a string to Go's 500 runes (497 and "..."), counting code points as Go's []rune does. */
export function limitRunes(s: string): string {
  const runes = [...s];
  return runes.length > MAX_RUNES ? `${runes.slice(0, MAX_RUNES - 3).join('')}...` : s;
}

/** "foxctl.evidence.bundle" -> "Evidence bundle"; "" or "unknown" -> "Output". */
export function commandLabel(command: string): string {
  const words = command.replace(/^foxctl\./, '').split(/[._\s-]+/).filter(Boolean);
  if (words.length === 0 || (words.length === 1 && words[0] === 'unknown')) return 'Output';
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "records" with 1 -> "record"; underscores read as spaces. */
function noun(key: string, n: number): string {
  const words = key.replace(/_/g, ' ');
  return n === 1 && words.endsWith('s') && !words.endsWith('ss') ? words.slice(0, -1) : words;
}

const count = (n: number): string => n.toLocaleString('en-US');

/** Among object items, the array field with the most elements in total (e.g. each file's `records`). */
function nestedArray(items: unknown[]): { key: string; total: number } | null {
  const totals = new Map<string, number>();
  for (const it of items) {
    if (!isRecord(it)) continue;
    for (const [k, v] of Object.entries(it)) if (Array.isArray(v)) totals.set(k, (totals.get(k) ?? 0) + v.length);
  }
  let best: { key: string; total: number } | null = null;
  for (const [key, total] of totals) if (total > 0 && (!best || total > best.total)) best = { key, total };
  return best;
}

/** Lists "247 records, 3 files and 2 warnings". */
function joinParts(parts: string[]): string {
  return parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** A sentence describing `data` by its shape: "Evidence bundle with 247 records across 3 files". */
export function describeData(command: string, data: unknown): string {
  const label = commandLabel(command);
  if (Array.isArray(data)) {
    const nested = nestedArray(data);
    if (nested) return `${label} with ${count(nested.total)} ${noun(nested.key, nested.total)} across ${count(data.length)} ${noun('entries', data.length).replace(/entrie$/, 'entry')}`;
    return `${label} with ${count(data.length)} ${noun('records', data.length)}`;
  }
  if (isRecord(data)) {
    const arrays = Object.entries(data)
      .filter((e): e is [string, unknown[]] => Array.isArray(e[1]))
      .sort((a, b) => b[1].length - a[1].length);
    const top = arrays[0];
    if (top) {
      const nested = nestedArray(top[1]);
      if (nested) return `${label} with ${count(nested.total)} ${noun(nested.key, nested.total)} across ${count(top[1].length)} ${noun(top[0], top[1].length)}`;
      return `${label} with ${joinParts(arrays.slice(0, 3).map(([k, v]) => `${count(v.length)} ${noun(k, v.length)}`))}`;
    }
    const n = Object.keys(data).length;
    return `${label} with ${count(n)} ${n === 1 ? 'field' : 'fields'}`;
  }
  if (typeof data === 'string') return `${label}: text of ${count([...data].length)} characters`;
  return `${label}: a single ${jsonKind(data)} value`;
}

/**
 * The envelope's summary as Go picks it (`data.summary`, then `data.preview`, when a non-empty
 * string), else the sentence describing the data; at most 500 runes.
 */
export function summaryOf(command: string, data: unknown): string {
  if (isRecord(data)) {
    for (const k of ['summary', 'preview']) {
      const v = data[k];
      if (typeof v === 'string' && v !== '') return limitRunes(v);
    }
  }
  return limitRunes(describeData(command, data));
}
