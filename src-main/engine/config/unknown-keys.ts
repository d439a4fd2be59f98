import { GO_KEYS, isGoKey } from './go-keys.js';
import { CONFIG_KEYS, STORE_DRIVER_KEYS } from './keys.js';

/** A problem of the config file that does not stop foxctl: a key nothing reads (a typo?) and what was probably meant. */
export interface ConfigWarning {
  key: string;
  /** 1-based line of the key in the file, when known. */
  line: number | null;
  /** The known key closest to it, when one is close. */
  suggestion: string | null;
  /** One sentence naming the file, the line and the key. */
  message: string;
}

/** Every key a config file may hold: ours, the per-store drivers, and the Go foxctl's. */
const KNOWN: readonly string[] = [...CONFIG_KEYS.map((k) => k.key), ...STORE_DRIVER_KEYS.map((k) => k.key), ...GO_KEYS];

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The known key a typo most likely meant: same letters in another case, else the nearest within a few edits. */
export function suggestKey(key: string): string | null {
  const lower = key.toLowerCase();
  const same = KNOWN.find((k) => k === lower);
  if (same) return same;
  // A section given a value (`storage: /x`): its one key, or the first of them.
  const under = KNOWN.filter((k) => k.startsWith(`${lower}.`));
  if (under.length > 0) return under[0]!;
  const limit = Math.min(3, Math.max(1, Math.floor(key.length / 5)));
  let best: string | null = null;
  let bestDistance = limit + 1;
  for (const k of KNOWN) {
    const dist = distance(lower, k);
    if (dist < bestDistance) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** Whether a key of the file is read by anyone: Storage Studio, or the Go foxctl that shares the file. */
export function isKnownKey(key: string): boolean {
  return KNOWN.includes(key) || isGoKey(key);
}

/**
 * The warnings of a config file's keys: each key that neither Storage Studio nor the Go foxctl
 * reads, with its line and the key it most likely meant (`storage.rooot` -> `storage.root`).
 */
export function unknownKeyWarnings(values: ReadonlyMap<string, unknown>, lines: ReadonlyMap<string, number>, file: string): ConfigWarning[] {
  const out: ConfigWarning[] = [];
  for (const [key, value] of values) {
    if (isKnownKey(key)) continue;
    // An empty section (`storage:` with nothing under it) sets nothing and misleads no one.
    if (value === null && KNOWN.some((k) => k.startsWith(`${key}.`))) continue;
    const line = lines.get(key) ?? null;
    const suggestion = suggestKey(key);
    const where = line === null ? file : `${file} line ${line}`;
    const hint = suggestion ? `: did you mean ${suggestion}?` : '';
    out.push({ key, line, suggestion, message: `${where}: unknown key ${key}, ignored${hint}` });
  }
  return out;
}
