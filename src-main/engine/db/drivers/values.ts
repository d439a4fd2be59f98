import { FoxError } from '../../errors.js';
import type { DriverParams, DriverRow } from './types.js';

/**
 * A parameter as every driver accepts it: booleans become 1/0, Uint8Array a Buffer, undefined
 * NULL, a Date its ISO text; numbers, bigints, strings, Buffers and null pass. Other objects are
 * refused (encode JSON yourself) so that all three dialects store the same thing.
 */
export function normalizeParam(v: unknown, index: number): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string') return v;
  if (Buffer.isBuffer(v)) return v;
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v instanceof Date) return v.toISOString();
  throw new FoxError('INVALID_INPUT', `parameter ${index + 1} is a ${Object.prototype.toString.call(v).slice(8, -1)}: pass a string, number, bigint, boolean, Buffer or null`);
}

/** Every parameter through normalizeParam. */
export function normalizeParams(params: DriverParams | undefined): unknown[] {
  return (params ?? []).map((v, i) => normalizeParam(v, i));
}

/** An integer as drivers return it: a number when exact, a bigint beyond 2^53. */
export function intValue(v: bigint): number | bigint {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A cell as drivers return it: integers via intValue, bytes as Buffer, the rest as is. */
export function normalizeCell(v: unknown): unknown {
  if (typeof v === 'bigint') return intValue(v);
  if (v instanceof ArrayBuffer) return Buffer.from(v);
  if (v instanceof Uint8Array && !Buffer.isBuffer(v)) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return v;
}

/** A row with every cell through normalizeCell. */
export function normalizeRow(row: Record<string, unknown>): DriverRow {
  const out: DriverRow = {};
  for (const k of Object.keys(row)) out[k] = normalizeCell(row[k]);
  return out;
}
