import { describe, expect, it } from 'vitest';
import { casCliEquivalent } from './cli';

const d = `sha256:${'ab'.repeat(32)}`;

describe('casCliEquivalent', () => {
  it('gives the foxctl cas line of each action, quoting only what needs it', () => {
    expect(casCliEquivalent({ action: 'pin', digest: d })).toBe(`foxctl cas pin ${d}`);
    expect(casCliEquivalent({ action: 'unpin', digest: d })).toBe(`foxctl cas unpin ${d}`);
    expect(casCliEquivalent({ action: 'rm', digest: d })).toBe(`foxctl cas rm ${d}`);
    expect(casCliEquivalent({ action: 'tag', digest: d, tags: ['q1', 'my report'] })).toBe(`foxctl cas tag ${d} q1 'my report'`);
    expect(casCliEquivalent({ action: 'save', digest: d, file: "it's.txt" })).toBe(`foxctl cas get ${d} -o 'it'\\''s.txt'`);
    expect(casCliEquivalent({ action: 'gc', olderThan: '168h', dryRun: true })).toBe('foxctl cas gc --older-than=168h --dry-run');
    expect(casCliEquivalent({ action: 'gc', olderThan: '0s', dryRun: false })).toBe('foxctl cas gc --older-than=0s');
    expect(casCliEquivalent({ action: 'verify' })).toBe('foxctl cas verify');
    expect(casCliEquivalent({ action: 'put', files: ['a.txt', 'b c.json'] })).toBe("foxctl cas put a.txt\nfoxctl cas put 'b c.json'");
    const many = casCliEquivalent({ action: 'put', files: Array.from({ length: 25 }, (_, i) => `f${i}`) }).split('\n');
    expect(many).toHaveLength(21);
    expect(many[20]).toBe('# ... and 5 more files');
  });
});
