// What bench/drivers.ts measures of the engine, in one entry for importShipped (shipped.ts).
export { resolveConfig } from '../../src-main/engine/config/resolve.js';
export { openStoreDriver } from '../../src-main/engine/db/drivers/open.js';
export { DbInspector } from '../../src-main/engine/db/inspect/inspector.js';
