export { ApiDispatcher, toBridgeError, type CallOrigin } from './dispatch.js';
export { EventHub, type EventSink } from './event-hub.js';
export { createHandlers, type Handlers, type HostInfo } from './handlers.js';
export { createStudio, type Studio } from './studio.js';
