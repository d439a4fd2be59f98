// The Overview's part of the bridge: the one call that gathers the home at a glance, and app.info.
import { z } from 'zod';
import { backupSummarySchema } from './backup';
import { call, count, none, timestamp } from './parts';
import { syncerStatusSchema } from './events';
import { jobSchema } from './jobs';
import { STORE_CLASSES, diskUsageSchema } from './stores';

/** What fixes a problem: a view to open, the rejects to read, or a store to restore from a backup. */
export const attentionActionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('open'), label: z.string(), view: z.enum(['overview', 'stores', 'cas', 'events', 'backups', 'jobs', 'settings']) }),
  z.object({ kind: z.literal('open-rejects'), label: z.string(), view: z.literal('events') }),
  z.object({ kind: z.literal('restore-store'), label: z.string(), store: z.string(), backup: z.string() }),
]);

/** One thing wrong in the home, for the top of the Overview. */
export const attentionSchema = z.object({
  id: z.string(),
  /** bad: data at risk or a failure; warn: worth a look. */
  severity: z.enum(['bad', 'warn']),
  title: z.string(),
  detail: z.string(),
  action: attentionActionSchema,
});

/** One thing wrong in the home. */
export type Attention = z.infer<typeof attentionSchema>;

/** Everything the Overview shows, gathered in one call. */
export const overviewSchema = z.object({
  home: z.string(),
  configFile: z.string(),
  configFileLoaded: z.boolean(),
  paths: z.array(z.object({ key: z.string(), label: z.string(), path: z.string() })),
  classes: z.array(
    z.object({ class: z.enum(STORE_CLASSES), description: z.string(), stores: count, present: count, bytes: count }),
  ),
  disk: z.object({ cas: diskUsageSchema, events: diskUsageSchema, backups: diskUsageSchema }),
  backups: backupSummarySchema,
  syncer: syncerStatusSchema,
  jobs: z.array(jobSchema),
  /** What is wrong, worst first (empty when all is well). */
  attention: z.array(attentionSchema),
  generatedAt: timestamp,
});

/** Everything the Overview shows. */
export type Overview = z.infer<typeof overviewSchema>;

/** The calls of the Overview (and the app itself), spread into CALLS. */
export function overviewCalls() {
  return {
    'app.info': call(
      none,
      z.object({
        version: z.string(),
        mode: z.enum(['electron', 'browser']),
        platform: z.string(),
        home: z.string(),
        /** Areas of the engine present in this build (the CAS view says so when absent). */
        features: z.object({ cas: z.boolean() }),
      }),
      'what this app is and where its home is',
    ),
    'overview.get': call(none, overviewSchema, 'the home at a glance'),
  } as const;
}
