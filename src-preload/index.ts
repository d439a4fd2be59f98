// The sandboxed preload: exposes window.foxctl built from the contract's call and event names,
// and nothing else (never ipcRenderer itself). Bundled into one CommonJS file.
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CALL_NAMES, IPC, isEventName, type FoxctlBridge } from './contract';

type Listener = (payload: unknown) => void;
const listeners = new Map<string, Set<Listener>>();

ipcRenderer.on(IPC.event, (_event, channel: unknown, payload: unknown) => {
  if (!isEventName(channel)) return;
  for (const l of listeners.get(channel) ?? []) l(payload);
});

const calls = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (input: unknown, requestId: string) => ipcRenderer.invoke(IPC.call, name, String(requestId), input)]),
) as FoxctlBridge['calls'];

const bridge: FoxctlBridge = {
  calls,
  cancel: (requestId) => ipcRenderer.send(IPC.cancel, String(requestId)),
  on: (channel, listener) => {
    if (!isEventName(channel)) throw new Error(`unknown event channel ${String(channel)}`);
    const set = listeners.get(channel) ?? new Set<Listener>();
    listeners.set(channel, set);
    set.add(listener as Listener);
    return () => {
      set.delete(listener as Listener);
    };
  },
  // A dropped file's path, so main streams it from disk instead of its bytes crossing the bridge.
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld('foxctl', bridge);
