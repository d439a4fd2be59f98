import fs from 'node:fs/promises';
import path from 'node:path';
import { isHex } from './digest.js';
import { isErrno } from './fs-util.js';
import type { CasDamage, CasScan } from './types.js';

/** The size a metadata file records, or undefined when it is unreadable (the scan only describes). */
async function recordedSize(file: string): Promise<number | undefined> {
  try {
    const m = JSON.parse(await fs.readFile(file, 'utf8')) as { size_bytes?: unknown };
    return typeof m.size_bytes === 'number' ? m.size_bytes : undefined;
  } catch {
    return undefined;
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await fs.stat(file)).size;
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return undefined;
    throw err;
  }
}

/**
 * Lists the file backend's `sha256/` and `pins/` once and pairs bytes, metadata and pins (see
 * CasBackend.scan). Only the rare unpaired names cost a read or a stat, so a scan of 20,000
 * objects is two directory listings.
 */
export async function scanFileStore(location: string): Promise<CasScan> {
  const objDir = path.join(location, 'sha256');
  const [entries, pinEntries] = await Promise.all([fs.readdir(objDir), fs.readdir(path.join(location, 'pins'))]);
  const blobs = new Set<string>();
  const metas = new Set<string>();
  for (const n of entries) {
    if (isHex(n)) blobs.add(n);
    else if (n.endsWith('.json') && isHex(n.slice(0, -5))) metas.add(n.slice(0, -5));
  }
  const pins = new Set(pinEntries.filter(isHex));
  const damage: CasDamage[] = [];
  for (const hex of metas) {
    if (blobs.has(hex)) continue;
    const pinned = pins.has(hex);
    const size = await recordedSize(path.join(objDir, `${hex}.json`));
    damage.push({
      hex,
      kind: 'missing_bytes',
      detail: `its bytes file is gone; its metadata file sha256/${hex}.json${pinned ? ' and its pin file (pins/) remain' : ' remains'}`,
      ...(size === undefined ? {} : { size_bytes: size }),
      pinned,
    });
  }
  for (const hex of blobs) {
    if (metas.has(hex)) continue;
    const size = await fileSize(path.join(objDir, hex));
    damage.push({ hex, kind: 'orphan_bytes', detail: `the bytes file sha256/${hex} has no metadata file (.json)`, ...(size === undefined ? {} : { size_bytes: size }) });
  }
  for (const hex of pins) {
    if (!blobs.has(hex) && !metas.has(hex)) damage.push({ hex, kind: 'orphan_pin', detail: `the pin file pins/${hex} remains; the object's bytes and metadata are gone` });
  }
  damage.sort((a, b) => (a.hex < b.hex ? -1 : a.hex > b.hex ? 1 : 0));
  return { stored: [...blobs].sort(), damage };
}
