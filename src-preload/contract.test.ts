import { describe, expect, it } from 'vitest';
import { ERROR_CODES as ENGINE_ERROR_CODES } from '../src-main/engine/errors.js';
import { STORE_CLASSES as ENGINE_STORE_CLASSES } from '../src-main/engine/registry/stores.js';
import { CALL_NAMES, CALLS, ERROR_CODES, EVENT_NAMES, isCallName, isEventName, STORE_CLASSES } from './contract.js';

describe('contract', () => {
  it('keeps its copies of the engine lists equal to the engine (it cannot import them)', () => {
    expect([...ERROR_CODES]).toEqual([...ENGINE_ERROR_CODES]);
    expect([...STORE_CLASSES]).toEqual([...ENGINE_STORE_CLASSES]);
  });

  it('knows its calls and events, and nothing from the prototype', () => {
    expect(CALL_NAMES).toContain('overview.get');
    expect(CALL_NAMES.every(isCallName)).toBe(true);
    expect(isCallName('toString')).toBe(false);
    expect(isCallName('hasOwnProperty')).toBe(false);
    expect(EVENT_NAMES).toEqual(['event', 'job', 'syncer']);
    expect(isEventName('constructor')).toBe(false);
  });

  it('gives every call an input that refuses unknown keys', () => {
    for (const name of CALL_NAMES) {
      expect(CALLS[name].input.safeParse({ unexpected: 1 }).success, name).toBe(false);
    }
  });
});
