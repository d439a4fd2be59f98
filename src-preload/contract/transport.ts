// What the transports carry besides calls: the event channels pushed to the renderer, streamed
// uploads, request ids, the preload's surface, and the IPC / HTTP names both ends share.
import { z } from 'zod';
import { type CallName, type CallOutput } from './calls';
import { casPutOptions, casPutResultSchema } from './cas';
import { type Result } from './common';
import { liveEventSchema, syncerStatusSchema } from './events';
import { jobSchema } from './jobs';

/** Every event channel pushed from main to the renderer: name -> payload schema. */
export const EVENTS = {
  /** An event was emitted in the engine's process (live tail; not necessarily synced yet). */
  event: liveEventSchema,
  /** A job changed (progress, state). */
  job: jobSchema,
  /** The events syncer's status changed. */
  syncer: syncerStatusSchema,
} as const;

/** The name of an event channel. */
export type EventName = keyof typeof EVENTS;

/** Every event channel name. */
export const EVENT_NAMES = Object.keys(EVENTS) as EventName[];

/** The payload of an event channel. */
export type EventPayload<E extends EventName> = z.output<(typeof EVENTS)[E]>;

/** Whether `name` is an event channel of the contract. */
export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(EVENTS, name);
}

/**
 * Streamed uploads of browser mode: the request body is the file, the options travel in the
 * query string (tags comma-separated), and the response names the job at once (header
 * `x-foxctl-job`) and carries the result when the job ends.
 */
export const UPLOADS = {
  'cas.put': {
    query: z
      .object({
        kind: casPutOptions.kind,
        tags: z
          .string()
          .max(5000)
          .optional()
          .transform((t) => (t === undefined || t === '' ? undefined : t.split(',').map((x) => x.trim()).filter(Boolean))),
        pin: z.enum(['true', 'false']).optional().transform((p) => (p === undefined ? undefined : p === 'true')),
        size: z.coerce.number().int().nonnegative().optional(),
        name: z.string().max(1000).optional(),
        /** The page's own id of the upload: the job carries it (client_ref), so the page shows the bytes the studio received. */
        ref: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)').optional(),
      })
      .strict(),
    output: casPutResultSchema,
  },
} as const;

/** The name of a streamed upload. */
export type UploadName = keyof typeof UPLOADS;

/** Whether `name` is an upload of the contract. */
export function isUploadName(name: unknown): name is UploadName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(UPLOADS, name);
}

/** Request ids: chosen by the caller, used to cancel. */
export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a request id is 1-64 letters, digits, _ or -');

/**
 * What the preload exposes as `window.foxctl`: one function per call of the contract, cancel by
 * request id, subscription to contract events, and the path of a dropped file. Nothing else.
 */
export interface FoxctlBridge {
  calls: { [N in CallName]: (input: unknown, requestId: string) => Promise<Result<CallOutput<N>>> };
  cancel(requestId: string): void;
  on<E extends EventName>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
  pathForFile(file: File): string;
}

/** IPC channel names shared by the preload and the main process. */
export const IPC = { call: 'foxctl:call', cancel: 'foxctl:cancel', event: 'foxctl:event' } as const;

/** HTTP routes of browser mode, shared by the server and the renderer's HTTP transport. */
export const HTTP = {
  call: '/api/call/',
  cancel: '/api/cancel/',
  events: '/api/events',
  upload: '/api/upload/',
  download: '/api/download/',
  jobHeader: 'x-foxctl-job',
  tokenHeader: 'x-foxctl-token',
  requestIdHeader: 'x-foxctl-request',
} as const;
