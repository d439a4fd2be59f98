import { EVENTS, type EventName, type EventPayload } from '../../src-preload/contract.js';
import type { Engine } from '../engine/engine.js';

/** Receives every event pushed to the renderer. */
export type EventSink = <E extends EventName>(channel: E, payload: EventPayload<E>) => void;

/**
 * Fans the engine's events (job changes, syncer status, live events) out to the connected renderers, each
 * payload checked against the contract once, here, rather than in each transport.
 */
export class EventHub {
  private readonly sinks = new Set<EventSink>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(engine: Engine) {
    this.unsubscribe.push(engine.jobs.subscribe((job) => this.emit('job', job)));
    // The live tail: every event the engine emits, whatever its persist mode.
    this.unsubscribe.push(engine.events.subscribe((e) => this.emit('event', e)));
  }

  /** Adds a sink; returns its removal. */
  add(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  /** Pushes one event to every sink; a payload the contract refuses is a bug, dropped loudly. */
  emit<E extends EventName>(channel: E, payload: EventPayload<E>): void {
    const parsed = EVENTS[channel].safeParse(payload);
    if (!parsed.success) {
      process.emitWarning(`foxctl studio: dropped a ${channel} event that does not match the contract: ${parsed.error.message}`);
      return;
    }
    for (const sink of this.sinks) {
      try {
        sink(channel, parsed.data as EventPayload<E>);
      } catch {
        // A sink whose connection is gone removes itself; it must not starve the others.
      }
    }
  }

  /** Stops listening to the engine and drops every sink. */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.sinks.clear();
  }
}
