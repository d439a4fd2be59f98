import { describe, expect, it } from 'vitest';
import { guiReason } from './results';
import { listNames } from './restore-wizard';

describe('the restore wizard in the GUI’s words', () => {
  it('names the stores a restore replaces', () => {
    expect(listNames(['MEMORY'])).toBe('MEMORY');
    expect(listNames(['MEMORY', 'TASKS'])).toBe('MEMORY and TASKS');
    expect(listNames(['MEMORY', 'TASKS', 'EVENTS'])).toBe('MEMORY, TASKS and EVENTS');
  });

  it('turns the CLI hints of the engine’s reasons into the wizard’s choice', () => {
    expect(guiReason('exists (pass --force to replace it)')).toBe('exists (choose "Replace what exists now" to replace it)');
    expect(guiReason('store MEMORY is on postgres (pass --force to replace its tables there)')).toBe('store MEMORY is on postgres (choose "Replace what exists now" to replace it)');
    expect(guiReason('store X belongs to another tool and is never written')).toBe('store X belongs to another tool and is never written');
    expect(guiReason('MEMORY is in use by another process (sqlite3 (pid 7) has /h/storage/memory.db open); stop it or pass --force-in-use (that process then goes on with the restored data); nothing was restored')).toBe(
      'MEMORY is in use by another process (sqlite3 (pid 7) has /h/storage/memory.db open); stop it, or see what would change again and choose to replace it anyway; nothing was restored',
    );
    for (const r of ['exists (pass --force to replace it)', 'store MEMORY is on postgres (pass --force to replace its tables there)']) expect(guiReason(r)).not.toMatch(/--/);
  });
});
