// The bridge's error shape: what every call returns, a value or a code with a message.
import { z } from 'zod';

/** Error codes a call can fail with (the engine's ERROR_CODES; a test keeps the two equal). */
export const ERROR_CODES = ['NOT_FOUND', 'INVALID_INPUT', 'CORRUPT', 'CONFLICT', 'PINNED', 'UNAVAILABLE', 'UNSUPPORTED', 'CANCELED', 'IO'] as const;

/** One of ERROR_CODES. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** An error as it crosses the bridge: a code and a human message, never a stack. */
export const bridgeErrorSchema = z.object({ code: z.enum(ERROR_CODES), message: z.string() });

/** An error as it crosses the bridge. */
export type BridgeError = z.infer<typeof bridgeErrorSchema>;

/** What every call returns across the bridge: a value or an error, never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: BridgeError };
