import { randomBytes } from 'node:crypto';
import type { Engine } from '../engine/engine.js';

/** What a ticket lets its holder download, once: a CAS object, or an export of events or of a store's rows. */
export type DownloadGrant =
  | {
      kind: 'cas';
      digest: string;
      /** The file name the browser saves it under. */
      name: string;
    }
  | {
      /** An export of events or of a store's rows: the same streamed shape. */
      kind: 'events' | 'rows';
      /** Writes the export to the response, page by page; resolves when it is complete. */
      run: (write: (text: string) => Promise<void>, signal: AbortSignal) => Promise<unknown>;
      name: string;
      type: string;
    };

/** How long a ticket may wait for its download to start. */
const TICKET_TTL_MS = 60_000;

/**
 * One-time download tickets of browser mode. A download is a plain navigation, which cannot
 * carry the token header, so an authenticated call issues a ticket (256 random bits, single use,
 * one minute) and the download URL carries it instead.
 */
export class DownloadTickets {
  private readonly grants = new Map<string, { grant: DownloadGrant; expires: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Issues a ticket for one download of `grant`. */
  issue(grant: DownloadGrant): string {
    this.sweep();
    const ticket = randomBytes(32).toString('base64url');
    this.grants.set(ticket, { grant, expires: this.now() + TICKET_TTL_MS });
    return ticket;
  }

  /** Takes a ticket: its grant the first time within its minute, null otherwise. */
  take(ticket: string): DownloadGrant | null {
    const g = this.grants.get(ticket);
    this.grants.delete(ticket);
    if (!g || g.expires < this.now()) return null;
    return g.grant;
  }

  private sweep(): void {
    const t = this.now();
    for (const [k, g] of this.grants) if (g.expires < t) this.grants.delete(k);
  }
}

const tickets = new WeakMap<Engine, DownloadTickets>();

/** The download tickets of an engine's process, shared by the handler that issues them and the route that takes them. */
export function downloadTicketsFor(engine: Engine): DownloadTickets {
  let t = tickets.get(engine);
  if (!t) tickets.set(engine, (t = new DownloadTickets()));
  return t;
}
