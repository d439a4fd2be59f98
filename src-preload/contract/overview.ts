// The Overview's part of the bridge: the one call that gathers the home at a glance, and app.info.
import { z } from 'zod';
import { backupSummarySchema } from './backup';
import { call, count, none, timestamp } from './parts';
import { syncerStatusSchema } from './events';
import { jobSchema } from './jobs';
import { STORE_CLASSES, diskUsageSchema } from './stores';

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
