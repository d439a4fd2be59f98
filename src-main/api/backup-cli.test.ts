import { describe, expect, it } from 'vitest';
import { backupCliEquivalent, shellWord } from './backup-cli.js';

describe('backupCliEquivalent', () => {
  it('writes the command line of each action with its options', () => {
    expect(backupCliEquivalent({ action: 'create' })).toBe('foxctl backup create');
    expect(backupCliEquivalent({ action: 'create', name: 'nightly', components: ['databases', 'cas'], includeLocalOnly: true })).toBe(
      'foxctl backup create --name nightly --components databases cas --local-only',
    );
    expect(backupCliEquivalent({ action: 'verify', name: 'b1' })).toBe('foxctl backup verify b1');
    expect(backupCliEquivalent({ action: 'verify', all: true })).toBe('foxctl backup verify --all');
    expect(backupCliEquivalent({ action: 'rehearse', name: 'b1' })).toBe('foxctl backup rehearse b1');
    expect(backupCliEquivalent({ action: 'delete', name: 'b1' })).toBe('foxctl backup delete b1');
    expect(backupCliEquivalent({ action: 'restore', name: 'b1', stores: ['MEMORY', 'KNOWLEDGE'], force: true, dryRun: true })).toBe(
      'foxctl backup restore b1 --store MEMORY --store KNOWLEDGE --force --dry-run',
    );
    expect(backupCliEquivalent({ action: 'restore', name: 'b1', components: ['memory'] })).toBe('foxctl backup restore b1 --components memory');
    expect(backupCliEquivalent({ action: 'prune', keepLast: 3, olderThan: '168h', dryRun: true })).toBe('foxctl backup prune --keep-last 3 --older-than 168h --dry-run');
  });

  it('quotes words a shell would split or expand', () => {
    expect(shellWord('plain-name_1.2')).toBe('plain-name_1.2');
    expect(shellWord('two words')).toBe("'two words'");
    expect(shellWord("it's")).toBe("'it'\\''s'");
    expect(shellWord('$(rm -rf ~)')).toBe("'$(rm -rf ~)'");
    expect(shellWord('')).toBe("''");
    expect(backupCliEquivalent({ action: 'info', name: 'a b' })).toBe("foxctl backup info 'a b'");
  });
});
