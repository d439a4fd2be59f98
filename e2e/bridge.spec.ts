// The bridge validates every call against the contract, in both transports.
import { expect, test } from './fixtures.js';

test.use({ seed: 'empty' });

test('the bridge rejects bad input with INVALID_INPUT naming the field', async ({ app }) => {
  const badLimit = await app.call('jobs.list', { limit: 'ten' });
  expect(badLimit.ok).toBe(false);
  expect(badLimit.error?.code).toBe('INVALID_INPUT');
  expect(badLimit.error?.message).toContain('limit');

  const extra = await app.call('jobs.list', { limit: 5, sql: 'DROP TABLE studio_jobs' });
  expect(extra.error?.code).toBe('INVALID_INPUT');
  expect(extra.error?.message).toContain('sql');

  const badId = await app.call('jobs.cancel', { id: '../../etc/passwd' });
  expect(badId.error?.code).toBe('INVALID_INPUT');

  const badName = await app.call('backups.create', { name: 'a b/c' });
  expect(badName.error?.code).toBe('INVALID_INPUT');
  expect(badName.error?.message).toContain('name');

  const good = await app.call('jobs.list', { limit: 5 });
  expect(good.ok).toBe(true);
});

test('an unknown job is NOT_FOUND, shown by code', async ({ app }) => {
  const res = await app.call('jobs.get', { id: '01ARZ3NDEKTSV4RRFFQ69G5FAV' });
  expect(res.error?.code).toBe('NOT_FOUND');
});
