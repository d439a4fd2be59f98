import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readFrom, tailLines } from './tail.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function file(content: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-tail-'));
  dirs.push(d);
  const f = path.join(d, 's.ndjson');
  fs.writeFileSync(f, content);
  return f;
}

describe('events tail', () => {
  it('returns the last n complete lines and the offset after them; a partial last line waits', () => {
    const f = file('a\nb\nc\nd\npart');
    const t = tailLines(f, 2);
    expect(t.lines).toEqual(['c', 'd']);
    expect(t.offset).toBe(8);
    expect(readFrom(f, t.offset).lines).toEqual([]);
    fs.appendFileSync(f, 'ial\ne\n');
    const r = readFrom(f, t.offset);
    expect(r.lines).toEqual(['partial', 'e']);
    expect(r.offset).toBe(fs.statSync(f).size);
  });

  it('cuts the first line of a window that starts mid-line', () => {
    const long = Array.from({ length: 3000 }, (_, i) => `line-${i}-${'x'.repeat(500)}`).join('\n') + '\n';
    const t = tailLines(file(long), 5);
    expect(t.lines.map((l) => l.split('-')[1])).toEqual(['2995', '2996', '2997', '2998', '2999']);
  });

  it('refuses a bad count and names a missing file', () => {
    const f = file('a\n');
    expect(() => tailLines(f, -1)).toThrow(/lines must be a whole number/);
    expect(() => tailLines(path.join(path.dirname(f), 'nope.ndjson'), 1)).toThrow(/nope\.ndjson/);
    expect(readFrom(path.join(path.dirname(f), 'nope.ndjson'), 0)).toMatchObject({ lines: [], ino: -1 });
  });
});
