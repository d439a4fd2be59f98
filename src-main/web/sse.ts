import type { ServerResponse } from 'node:http';
import type { EventHub } from '../api/event-hub.js';

const HEARTBEAT_MS = 15_000;

/**
 * Streams the hub's events to one browser as Server-Sent Events (`event: <channel>`, `data:
 * <json>`), with a comment heartbeat so proxies and idle timers keep the connection open.
 * Returns the function that ends the stream.
 */
export function openEventStream(res: ServerResponse, hub: EventHub): () => void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(': foxctl studio events\n\n');
  const remove = hub.add((channel, payload) => {
    res.write(`event: ${channel}\ndata: ${JSON.stringify(payload)}\n\n`);
  });
  const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
  heartbeat.unref();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    clearInterval(heartbeat);
    remove();
    res.end();
  };
  res.on('close', end);
  return end;
}
