/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break, quotes doubled.
 * null and undefined are the empty field; objects are their JSON text.
 */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record: its fields joined by commas, ended by CRLF (RFC 4180). */
export function csvRecord(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
