// THE bridge between the renderer and the engine, one file per area: every call's name with its zod
// input and output, and every event channel. Both transports (Electron IPC, browser-mode HTTP/SSE)
// and both sides (api handlers, renderer) are typed from here. The folder imports only zod, so that
// the sandboxed preload, the renderer and the main process can all bundle it.
export * from './common';
export * from './jobs';
export * from './stores';
export * from './events';
export * from './backup';
export * from './backup-remote';
export * from './backup-browse';
export * from './overview';
export * from './cas';
export * from './settings';
export * from './calls';
export * from './transport';
