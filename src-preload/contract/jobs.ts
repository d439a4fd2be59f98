// The Jobs panel's part of the bridge: jobs as the engine records them, and the jobs.* calls.
import { z } from 'zod';
import { bridgeErrorSchema } from './common';
import { call, jobId, timestamp } from './parts';

/** States of a job; ok, error and canceled are final. */
export const JOB_STATES = ['queued', 'running', 'ok', 'error', 'canceled'] as const;

/** A job as shown by the Jobs panel (the engine's JobInfo). */
export const jobSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  state: z.enum(JOB_STATES),
  progress: z.object({
    done: z.number(),
    total: z.number().nullable(),
    unit: z.string(),
    rate: z.number().nullable(),
    eta: z.number().nullable(),
    message: z.string().optional(),
  }),
  created_at: timestamp,
  started_at: timestamp.nullable(),
  finished_at: timestamp.nullable(),
  result: z.unknown(),
  error: bridgeErrorSchema.nullable(),
  /** The client's own name for the job (a browser upload's id): its progress is followed before the answer names the job. */
  client_ref: z.string().optional(),
});

/** A job as shown by the Jobs panel. */
export type Job = z.infer<typeof jobSchema>;

/** The calls of the Jobs panel, spread into CALLS. */
export function jobsCalls() {
  return {
    'jobs.list': call(
      z.object({ limit: z.number().int().min(1).max(500).optional(), state: z.enum(JOB_STATES).optional() }).strict(),
      z.array(jobSchema),
      'jobs newest first: running ones live, the rest from jobs.db',
    ),
    'jobs.get': call(z.object({ id: jobId }).strict(), jobSchema, 'one job by id'),
    'jobs.cancel': call(z.object({ id: jobId }).strict(), z.object({ canceled: z.boolean() }), 'cancels a running job'),
  } as const;
}
