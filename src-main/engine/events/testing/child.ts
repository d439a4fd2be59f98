// A small program the fault tests run as a real child process (bundled by build-child.ts, so it
// starts in ~100 ms instead of ~500 ms under tsx). Modes:
//   sync-loop          run syncer passes back to back until killed; prints "ready" once events.db is open
//                      (FOXCTL_TEST_BULK_MIN_BYTES / FOXCTL_TEST_BULK_LEASE_MS: the bulk drain's threshold and lease)
//   emit FILE N PAD    emit N events to stream FILE (PAD bytes of message each), then exit
//   partial PATH TEXT  append TEXT (no newline) to PATH, print "written", then wait to be killed
import fs from 'node:fs';
import { resolveConfig } from '../../config/resolve.js';
import { StoreConnections } from '../../db/connections.js';
import { EventEmitter } from '../emitter.js';
import { DEFAULT_STREAM, eventsDir, streamFileName } from '../streams.js';
import { EventSyncer } from '../syncer.js';

const [mode, ...args] = process.argv.slice(2);

async function main(): Promise<void> {
  if (mode === 'partial') {
    fs.appendFileSync(args[0]!, args[1]!);
    process.stdout.write('written\n');
    setInterval(() => undefined, 1000);
    return;
  }
  const config = resolveConfig({ env: process.env });
  const stores = new StoreConnections(config);
  const db = (): ReturnType<StoreConnections['get']> => stores.get('EVENTS');
  if (mode === 'sync-loop') {
    const bulk = {
      ...(process.env.FOXCTL_TEST_BULK_MIN_BYTES ? { bulkMinBytes: Number(process.env.FOXCTL_TEST_BULK_MIN_BYTES) } : {}),
      ...(process.env.FOXCTL_TEST_BULK_LEASE_MS ? { bulkLeaseMs: Number(process.env.FOXCTL_TEST_BULK_LEASE_MS) } : {}),
    };
    const syncer = new EventSyncer({ dir: eventsDir(config), defaultFile: streamFileName(DEFAULT_STREAM), db, intervalMs: 1000, batch: config.eventsSyncBatch, ...bulk });
    db();
    process.stdout.write('ready\n');
    for (;;) {
      await syncer.syncNow();
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  if (mode === 'emit') {
    const emitter = new EventEmitter({ config, db, registerHybrid: () => undefined });
    const n = Number(args[1]);
    const pad = 'x'.repeat(Number(args[2]));
    for (let i = 0; i < n; i++) emitter.emit({ operation: 'child.emit', message: `${process.pid}:${i}:${pad}` }, { file: args[0]! });
    stores.closeAll();
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`child: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
