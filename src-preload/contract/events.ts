// The Events view's part of the bridge: events.db rows, filters, traces, histogram, rejects, the
// syncer's status, and the live tail's payload.
import { z } from 'zod';
import { bridgeErrorLike, call, count, none, timestamp } from './parts';

/** The events syncer as the GUI shows it (a summary of the engine's SyncStatus). */
export const syncerStatusSchema = z.object({
  /** The background timer is on (the app and `foxctl studio` start it). */
  running: z.boolean(),
  /** A pass is in progress right now. */
  syncing: z.boolean(),
  lastRunAt: timestamp.nullable(),
  lastError: bridgeErrorLike(),
  /** Complete NDJSON lines not yet in events.db (a lower bound when pendingExact is false). */
  pendingLines: count,
  pendingExact: z.boolean(),
  lagBytes: count,
  syncedTotal: count,
  rejectedTotal: count,
  intervalMs: count,
});

/** The events syncer's status. */
export type SyncerStatus = z.infer<typeof syncerStatusSchema>;
// ---- events.* (the Events view): schemas ----

/** One row of events.db as the viewer gets it (`data` parsed when it is JSON). */
export const eventRecordSchema = z.object({
  id: z.number().int(),
  span_id: z.string(),
  trace_id: z.string(),
  parent_id: z.string().nullable(),
  ts: z.string(),
  service: z.string().nullable(),
  version: z.string().nullable(),
  component: z.string().nullable(),
  operation: z.string(),
  command: z.string().nullable(),
  subtype: z.string().nullable(),
  session_id: z.string().nullable(),
  agent_id: z.string().nullable(),
  workspace_id: z.string().nullable(),
  job_id: z.string().nullable(),
  status: z.string(),
  duration_ms: z.number().nullable(),
  error_type: z.string().nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  retriable: z.number().nullable(),
  data: z.unknown(),
  created_at: z.string().nullable(),
});

/** One row of events.db. */
export type EventRecord = z.infer<typeof eventRecordSchema>;

const filterValues = z.union([z.string().min(1).max(500), z.array(z.string().min(1).max(500)).min(1).max(100)]);
const timeBound = z.union([z.string().min(1).max(64), z.number()]);

/** What the Events view filters on (the engine's EventFilter); every field narrows (AND). */
export const eventFilterSchema = z
  .object({
    /** Inclusive: RFC 3339, YYYY-MM-DD, epoch ms, or a duration back from now (1h). */
    since: timeBound.optional(),
    /** Exclusive, same forms as since. */
    until: timeBound.optional(),
    operation: filterValues.optional(),
    status: filterValues.optional(),
    command: filterValues.optional(),
    service: filterValues.optional(),
    component: filterValues.optional(),
    session_id: filterValues.optional(),
    agent_id: filterValues.optional(),
    workspace_id: filterValues.optional(),
    trace_id: filterValues.optional(),
    min_duration_ms: z.number().nonnegative().optional(),
    /** Free text: every word whole, `word*` by prefix. */
    text: z.string().max(500).optional(),
  })
  .strict();

/** What the Events view filters on. */
export type EventFilterInput = z.infer<typeof eventFilterSchema>;

/** A source of events: the home's events.db (omitted) or an id from events.open. */
const eventSource = z.string().regex(/^src-[0-9a-z]{1,32}$/, 'a source is an id returned by events.open').optional();

/** What rows are ordered by. */
const eventSort = z.enum(['time', 'duration']);

/** An export of the Events view's current filter. */
const exportInput = z
  .object({ filter: eventFilterSchema.optional(), format: z.enum(['ndjson', 'csv', 'json']), order: z.enum(['asc', 'desc']).optional(), sort: eventSort.optional(), source: eventSource })
  .strict();

/** A span of a trace with its children (recursive). */
export interface TraceNodeOutput {
  event: EventRecord;
  children: TraceNodeOutput[];
  depth: number;
}

/** A span of a trace with its children. */
export const traceNodeSchema: z.ZodType<TraceNodeOutput> = z.lazy(() => z.object({ event: eventRecordSchema, children: z.array(traceNodeSchema), depth: z.number().int() }));

/** A trace as a tree of spans. */
export const traceTreeSchema = z.object({
  trace_id: z.string(),
  spans: count,
  errors: count,
  start: z.string(),
  end: z.string(),
  duration_ms: z.number(),
  roots: z.array(traceNodeSchema),
  truncated: z.boolean(),
});

/** A trace as a tree of spans. */
export type TraceTreeOutput = z.infer<typeof traceTreeSchema>;

/** An events.db opened read-only by events.open. */
export const eventSourceSchema = z.object({ source: z.string(), file: z.string(), table: z.string(), fts: z.boolean(), events: count });

/** An events.db opened read-only. */
export type EventSourceInfo = z.infer<typeof eventSourceSchema>;

/** An event as the engine emits it (before the syncer gives it a row id): the live tail and pending lines. */
const emittedEventSchema = z.object({
  ts: z.string(),
  trace_id: z.string(),
  span_id: z.string(),
  parent_id: z.string().optional(),
  operation: z.string(),
  name: z.string().optional(),
  status: z.enum(['ok', 'error', 'canceled']),
  message: z.string().optional(),
  error_type: z.string().optional(),
  error_code: z.string().optional(),
  error_message: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  duration_ms: z.number(),
});

/** An NDJSON line not yet synced into events.db, parsed as an event. */
export const pendingEventSchema = z.object({ file: z.string(), offset: count, event: emittedEventSchema });

/** One histogram bucket: [start, end) with its count and errors. */
export const histogramBucketSchema = z.object({ start: z.string(), end: z.string(), count: count, errors: count });

/** A line the syncer rejected. */
export const rejectSchema = z.object({ id: z.number().int(), file: z.string(), offset: count, length: count, error: z.string(), excerpt: z.string(), created_at: z.string() });

/** A line the syncer rejected. */
export type RejectRecordOutput = z.infer<typeof rejectSchema>;

/** A timed line of any stream file or rotation (events.streamEvents): an event or a skill's record. */
export const streamEventSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  ts: z.string(),
  operation: z.string().nullable(),
  command: z.string().nullable(),
  status: z.string().nullable(),
  duration_ms: z.number().nullable(),
  trace_id: z.string().nullable(),
  span_id: z.string().nullable(),
  message: z.string().nullable(),
  error_message: z.string().nullable(),
  record: z.record(z.string(), z.unknown()),
});

/** A line of the all-streams timeline. */
export type StreamEventOutput = z.infer<typeof streamEventSchema>;
/** The calls of the Events view, spread into CALLS. */
export function eventsCalls() {
  return {
    'syncer.status': call(none, syncerStatusSchema, "the events syncer's status"),
    'syncer.syncNow': call(none, z.object({ jobId: z.string() }), 'runs one sync pass now, as a job'),
    'events.query': call(
      z
        .object({
          filter: eventFilterSchema.optional(),
          limit: z.number().int().min(1).max(1000).optional(),
          cursor: z.string().min(1).max(400).optional(),
          offset: z.number().int().min(0).max(10_000_000).optional(),
          order: z.enum(['asc', 'desc']).optional(),
          sort: eventSort.optional(),
          source: eventSource,
        })
        .strict(),
      z.object({ rows: z.array(eventRecordSchema), next_cursor: z.string().nullable() }),
      'a page of events (keyset: pass next_cursor for the next; offset: the rows to skip, to jump into the middle of a result), newest first unless order is asc; sort by time (default) or duration',
    ),
    'events.exportLink': call(
      exportInput,
      z.object({ url: z.string(), name: z.string() }),
      'browser mode: a one-time URL that streams every event of the filter (all pages, one read snapshot) as NDJSON, CSV or JSON; a failure cuts the download short',
    ),
    'events.saveExport': call(
      exportInput,
      z.object({ saved: z.boolean(), jobId: z.string().nullable(), path: z.string().nullable() }),
      'Electron: exports the filter to a file the user picks in a save dialog, as a job (progress in rows, cancellable; temp file renamed once complete); browser mode uses events.exportLink',
    ),
    'events.count': call(z.object({ filter: eventFilterSchema.optional(), source: eventSource }).strict(), z.object({ count: count }), 'how many events match the filter'),
    'events.histogram': call(
      z.object({ filter: eventFilterSchema.optional(), buckets: z.number().int().min(1).max(400).optional(), source: eventSource }).strict(),
      z.array(histogramBucketSchema),
      'event and error counts per time bucket over the filter\'s range (or the events\' own)',
    ),
    'events.facets': call(
      z.object({ filter: eventFilterSchema.optional(), fields: z.array(z.string().min(1).max(64)).min(1).max(16).optional(), top: z.number().int().min(1).max(100).optional(), source: eventSource }).strict(),
      z.array(z.object({ field: z.string(), values: z.array(z.object({ value: z.string().nullable(), count: count })) })),
      'top values with counts of each field (operation, status, command by default)',
    ),
    'events.trace': call(z.object({ traceId: z.string().min(1).max(128), source: eventSource }).strict(), traceTreeSchema, 'one trace as a tree of spans in time order'),
    'events.rejects': call(
      z.object({ limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().min(1).max(40).optional(), source: eventSource }).strict(),
      z.object({ rows: z.array(rejectSchema), next_cursor: z.string().nullable() }),
      'lines the syncer could not ingest, newest first',
    ),
    'events.pending': call(
      z.object({ limit: z.number().int().min(1).max(1000).optional() }).strict(),
      z.object({ events: z.array(pendingEventSchema), pendingLines: count, truncated: z.boolean() }),
      'the newest NDJSON events not yet synced into events.db (what the live tail marks "not synced")',
    ),
    'events.streamEvents': call(
      z.object({ filter: eventFilterSchema.optional(), limit: z.number().int().min(1).max(1000).optional(), cursor: z.string().min(1).max(400).optional() }).strict(),
      z.object({
        rows: z.array(streamEventSchema),
        next_cursor: z.string().nullable(),
        files: z.array(z.object({ file: z.string(), lines: count, matched: count, skipped: count, error: z.string().nullable() })),
      }),
      'the newest timed lines of every events/*.ndjson* file, rotations and .gz included (what the Go query reads), filtered',
    ),
    'events.open': call(
      z.object({ path: z.string().min(1).max(4096).refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p), 'must be an absolute path') }).strict(),
      eventSourceSchema,
      'opens another events.db read-only (foxcular_events or wide_events) and names it as a source',
    ),
    'events.close': call(z.object({ source: z.string().min(1).max(40) }).strict(), z.object({ closed: z.boolean() }), 'closes a source opened by events.open'),
  } as const;
}

/** One event as the engine emitted it in this process (the live tail), and where it went. */
export const liveEventSchema = z.object({
  event: emittedEventSchema,
  /** The persist mode it was emitted with. */
  persist: z.enum(['default', 'ndjson', 'sql', 'hybrid', 'none']),
  /** The NDJSON stream it was appended to; null when not yet in a file (sql, none). */
  file: z.string().nullable(),
});
