import { describe, expect, it } from 'vitest';
import type { Job } from '../../src-preload/contract';
import { nightlyNotice } from './nightly-notify';

const job = (over: Partial<Job>): Job => ({ id: 'j1', kind: 'backup.create', title: 'backup create nightly-20261202-020000', state: 'ok', result: { status: 'ok' }, error: null, ...over }) as Job;

describe('nightlyNotice', () => {
  it('says nothing of a night that went well', () => {
    expect(nightlyNotice(job({}))).toBeNull();
  });
  it('names the error of a failed night and the backup of one with problems', () => {
    expect(nightlyNotice(job({ state: 'error', error: { code: 'IO', message: 'disk full' } }))).toEqual({ title: 'Nightly backup failed', body: 'disk full' });
    expect(nightlyNotice(job({ result: { status: 'completed_with_problems' } }))?.body).toContain('nightly-20261202-020000');
  });
});
