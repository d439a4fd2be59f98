import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { IPC, requestIdSchema, type Result } from '../../src-preload/contract.js';
import type { Studio } from '../api/studio.js';
import { isOwnMainFrame } from './external-links.js';

/** Decides whether an IPC message comes from our own window's main frame at our own origin. */
export type SenderCheck = (event: IpcMainInvokeEvent | IpcMainEvent) => boolean;

/** A sender check for one window: its main frame, showing a page of ours, nothing else. */
export function ownMainFrame(getContents: () => WebContents | undefined, isOwnUrl: (url: string) => boolean): SenderCheck {
  return (event) => {
    const contents = getContents();
    const ours = contents && { destroyed: contents.isDestroyed(), contents, mainFrame: contents.mainFrame };
    return isOwnMainFrame({ sender: event.sender, ours, frame: event.senderFrame }, isOwnUrl);
  };
}

/**
 * Binds the contract to ipcMain: one handler for every call (validated by the dispatcher),
 * cancel by request id, and events pushed to the window. A message from any other sender is
 * refused. Returns the unbinding.
 */
export function bindIpc(studio: Studio, isTrusted: SenderCheck, getContents: () => WebContents | undefined): () => void {
  ipcMain.handle(IPC.call, async (event, name: unknown, requestId: unknown, input: unknown): Promise<Result<unknown>> => {
    if (!isTrusted(event)) return { ok: false, error: { code: 'UNAVAILABLE', message: 'refused: this call did not come from the Storage Studio window' } };
    const id = requestIdSchema.safeParse(requestId);
    if (!id.success) return { ok: false, error: { code: 'INVALID_INPUT', message: `invalid request id: ${id.error.issues[0]?.message ?? ''}` } };
    return studio.api.invoke(name, input, { scope: `wc:${event.sender.id}`, requestId: id.data });
  });
  const onCancel = (event: IpcMainEvent, requestId: unknown): void => {
    if (!isTrusted(event) || typeof requestId !== 'string') return;
    studio.api.cancel(`wc:${event.sender.id}`, requestId);
  };
  ipcMain.on(IPC.cancel, onCancel);
  const removeSink = studio.events.add((channel, payload) => {
    const contents = getContents();
    if (contents && !contents.isDestroyed()) contents.send(IPC.event, channel, payload);
  });
  return () => {
    ipcMain.removeHandler(IPC.call);
    ipcMain.off(IPC.cancel, onCancel);
    removeSink();
  };
}
