import { describe, expect, it } from 'vitest';
import { HISTORY_SIZE, historyKey, pushHistory, readHistory, type HistoryStorage } from './sql-history';

function memoryStorage(): HistoryStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v) };
}

describe('sql history', () => {
  it('keeps the newest first, a statement run again moves up once, at most HISTORY_SIZE', () => {
    const s = memoryStorage();
    const key = historyKey('MEMORY', null);
    pushHistory(s, key, 'SELECT 1');
    pushHistory(s, key, '  SELECT 2\n');
    expect(pushHistory(s, key, 'SELECT   1')).toEqual(['SELECT   1', 'SELECT 2']);
    for (let i = 0; i < 30; i++) pushHistory(s, key, `SELECT ${i + 10}`);
    const list = readHistory(s, key);
    expect(list).toHaveLength(HISTORY_SIZE);
    expect(list[0]).toBe('SELECT 39');
    expect(list[HISTORY_SIZE - 1]).toBe('SELECT 20');
  });

  it('is per store and per key, and ignores blank statements and unreadable values', () => {
    const s = memoryStorage();
    pushHistory(s, historyKey('MEMORY', null), 'SELECT 1');
    expect(readHistory(s, historyKey('CONTEXTVAR', 'alice'))).toEqual([]);
    expect(historyKey('CONTEXTVAR', 'alice')).not.toBe(historyKey('CONTEXTVAR', null));
    expect(pushHistory(s, historyKey('MEMORY', null), '   ')).toEqual(['SELECT 1']);
    s.data.set('broken', '{not json');
    expect(readHistory(s, 'broken')).toEqual([]);
    s.data.set('odd', JSON.stringify(['a', 3, null, 'b']));
    expect(readHistory(s, 'odd')).toEqual(['a', 'b']);
    expect(readHistory(null, 'x')).toEqual([]);
  });
});
