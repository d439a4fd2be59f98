import type { Result } from '../../src-preload/contract.js';

/** The value of a successful bridge result; fails the test with the error otherwise. */
export function value<T>(res: Result<unknown>): T {
  if (!res.ok) throw new Error(`${res.error.code}: ${res.error.message}`);
  return res.value as T;
}

/** The error of a failed bridge result; fails the test when it succeeded. */
export function failure(res: Result<unknown>): { code: string; message: string } {
  if (res.ok) throw new Error(`expected a failure, got ${JSON.stringify(res.value).slice(0, 300)}`);
  return res.error;
}
