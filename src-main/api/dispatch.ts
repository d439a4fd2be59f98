import type { z } from 'zod';
import { CALLS, isCallName, type BridgeError, type CallName, type Result } from '../../src-preload/contract.js';
import { FoxError, toFoxError } from '../engine/errors.js';
import type { Handler, Handlers } from './handlers.js';
import { RequestRegistry } from './requests.js';

/** Who is calling, for cancellation: a window or a browser-mode session, and its request id. */
export interface CallOrigin {
  scope: string;
  requestId?: string | undefined;
}

/** A FoxError as it crosses the bridge: code and message only (no stack, no cause, no paths of ours). */
export function toBridgeError(err: unknown): BridgeError {
  const fe = toFoxError(err);
  return { code: fe.code, message: fe.message };
}

/** The first problem of a zod error as one line: `limit: Too big: expected number to be <=500`. */
function describeIssues(error: z.ZodError, what: string): string {
  const issues = error.issues.slice(0, 3).map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message));
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : '';
  return `${what}: ${issues.join('; ')}${more}`;
}

/**
 * The transport-free entry of the bridge: looks the call up in the contract, validates its input,
 * runs its handler with a signal that `cancel(requestId)` aborts, validates what it returns, and
 * turns every failure into `{ ok: false, error }`. Both transports go through `invoke`.
 */
export class ApiDispatcher {
  readonly requests = new RequestRegistry();

  constructor(private readonly handlers: Handlers) {}

  /** Runs one call; never throws. */
  async invoke(name: unknown, input: unknown, origin: CallOrigin): Promise<Result<unknown>> {
    try {
      if (!isCallName(name)) {
        throw new FoxError('INVALID_INPUT', `unknown call ${JSON.stringify(name)}; the bridge has: ${Object.keys(CALLS).join(', ')}`);
      }
      const def = CALLS[name];
      const parsed = def.input.safeParse(input ?? {});
      if (!parsed.success) throw new FoxError('INVALID_INPUT', describeIssues(parsed.error, `invalid input for ${name}`));
      const { signal, release } = this.requests.begin(origin.scope, origin.requestId);
      try {
        const handler = this.handlers[name] as Handler<CallName>;
        const value: unknown = await handler(parsed.data as never, { signal });
        if (signal.aborted) throw toFoxError(signal.reason);
        // Only what the contract declares leaves the process (extra fields are stripped).
        const out = def.output.safeParse(value);
        if (!out.success) throw new FoxError('IO', describeIssues(out.error, `the engine returned an unexpected value for ${name}`));
        return { ok: true, value: out.data };
      } finally {
        release();
      }
    } catch (err) {
      return { ok: false, error: toBridgeError(err) };
    }
  }

  /** Cancels a request of a scope by id; false when it is not in flight. */
  cancel(scope: string, requestId: string): boolean {
    return this.requests.cancel(scope, requestId);
  }
}
