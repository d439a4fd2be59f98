// How numbers and times read at a glance: 1.4 GB, 12.5 MB/s, 3 min left, 3 hours ago.

/** Bytes in binary units with one decimal: `0 B`, `532 B`, `1.4 MB`. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

/** A count with thousands separators. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A job's quantity in its unit: bytes as sizes, other units as counts. */
export function formatAmount(n: number, unit: string): string {
  return unit === 'bytes' ? formatBytes(n) : `${formatCount(Math.round(n))} ${unit}`;
}

/** A rate in the job's unit per second. */
export function formatRate(rate: number | null, unit: string): string {
  if (rate === null || !Number.isFinite(rate)) return '—';
  return unit === 'bytes' ? `${formatBytes(rate)}/s` : `${rate >= 10 ? Math.round(rate) : rate.toFixed(1)} ${unit}/s`;
}

/** A duration in seconds as people say it: `45 s`, `3 min`, `2 h 5 min`. */
export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '—';
  if (s < 1) return '< 1 s';
  if (s < 60) return `${Math.round(s)} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  if (h < 48) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${Math.round(h / 24)} days`;
}

/** Milliseconds since an RFC 3339 time (NaN when unparsable). */
export function ageMs(ts: string, now = Date.now()): number {
  return now - Date.parse(ts);
}

/** How long ago: `just now`, `5 minutes ago`, `3 hours ago`, `2 days ago`. */
export function timeAgo(ts: string, now = Date.now()): string {
  const ms = ageMs(ts, now);
  if (!Number.isFinite(ms)) return ts;
  const s = Math.max(0, Math.round(ms / 1000));
  const plural = (n: number, w: string): string => `${n} ${w}${n === 1 ? '' : 's'} ago`;
  if (s < 45) return 'just now';
  if (s < 3600) return plural(Math.max(1, Math.round(s / 60)), 'minute');
  if (s < 86400) return plural(Math.round(s / 3600), 'hour');
  return plural(Math.round(s / 86400), 'day');
}

/** The exact local time of an RFC 3339 timestamp, for hovers. */
export function exactTime(ts: string): string {
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? ts : d.toLocaleString();
}
