import type { Engine } from '../engine/engine.js';
import { summarizeSyncStatus } from './areas.js';
import { schedulerFor } from './backup-schedule.js';
import { ApiDispatcher } from './dispatch.js';
import { EventHub } from './event-hub.js';
import { createHandlers, type HostInfo } from './handlers.js';

/** What a transport needs: the dispatcher, the event hub, and a clean stop. */
export interface Studio {
  engine: Engine;
  api: ApiDispatcher;
  events: EventHub;
  /** Stops the syncer at a safe boundary (a batch's end) and the event hub; the engine stays open. */
  stop(): Promise<void>;
}

/** Options of createStudio. */
export interface StudioOptions {
  /** Run the events syncer in the background while the studio is up (default true). */
  syncer?: boolean;
  /** Run the nightly backup schedule (backup.schedule.*) while the studio is up (default true). */
  schedule?: boolean;
}

/**
 * Wires the handlers and the event hub over one engine and starts the background work the GUI
 * relies on: the events syncer, whose status changes are pushed as `syncer` events, and the
 * nightly backup schedule. Used by
 * Electron's main process and by browser mode alike.
 */
export function createStudio(engine: Engine, host: HostInfo, opts: StudioOptions = {}): Studio {
  const api = new ApiDispatcher(createHandlers(engine, host));
  const events = new EventHub(engine);
  const syncer = engine.events.syncer;
  const offStatus = syncer.onStatus((status) => events.emit('syncer', summarizeSyncStatus(status)));
  if (opts.syncer !== false) syncer.start();
  const scheduler = schedulerFor(engine);
  if (opts.schedule !== false) scheduler.start();
  let stopping: Promise<void> | undefined;
  return {
    engine,
    api,
    events,
    stop: () =>
      (stopping ??= (async () => {
        await syncer.stop();
        await scheduler.stop();
        offStatus();
        events.close();
      })()),
  };
}
