// Small schemas every area of the contract reuses (counts, timestamps, job ids, the CLI line) and
// `call`, which pairs an input with an output. Internal: contract/index.ts does not re-export it.
import { z } from 'zod';

/** An empty input: the call takes nothing. */
export const none = z.object({}).strict();
/** A count of things (rows, bytes, files). */
export const count = z.number().int().nonnegative();
/** A timestamp as the engine writes it (RFC 3339). */
export const timestamp = z.string();
/** The syncer's last error: its code is the engine's, kept as a string. */
export function bridgeErrorLike() {
  return z.object({ code: z.string(), message: z.string() }).nullable();
}

/** A job id (a ULID). */
export const jobId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a job id is a 26-character ULID');

/** The `foxctl backup ...` command line that does the same ("Show CLI equivalent"). */
export const cliLine = z.string();

/** Go durations as foxctl takes them (168h, 30m, 1h30m, 0s). */
export const goDuration = z.string().max(40).regex(/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d))+$|^0$/, 'a duration such as 30m, 168h or 1h30m');

/** One call of the bridge: its input and output schemas and a one-line description. */
export const call = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string): { input: I; output: O; doc: string } => ({
  input,
  output,
  doc,
});
