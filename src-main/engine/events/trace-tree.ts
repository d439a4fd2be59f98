import { parseRfc3339 } from '../util/time.js';
import type { EventRecord } from './queries.js';

/** A span of a trace with its children in time order. */
export interface TraceNode {
  event: EventRecord;
  children: TraceNode[];
  /** Nesting depth (roots are 0). */
  depth: number;
}

/** A trace as a tree: roots are spans without a parent in the trace (orphans become roots too). */
export interface TraceTree {
  trace_id: string;
  spans: number;
  errors: number;
  start: string;
  end: string;
  /** Wall time from the first span's start to the last span's end, in ms. */
  duration_ms: number;
  roots: TraceNode[];
  /** True when the trace had more spans than could be returned. */
  truncated: boolean;
}

/** Builds the tree from spans sorted by time; a parent cycle cannot loop (each span is placed once). */
export function buildTraceTree(traceId: string, rows: EventRecord[], truncated: boolean): TraceTree {
  const nodes = new Map<string, TraceNode>();
  for (const r of rows) nodes.set(r.span_id, { event: r, children: [], depth: 0 });
  const roots: TraceNode[] = [];
  for (const r of rows) {
    const node = nodes.get(r.span_id)!;
    const parent = r.parent_id && r.parent_id !== r.span_id ? nodes.get(r.parent_id) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // Depths from the roots down; a span caught in a parent cycle is unreachable and becomes a root.
  const seen = new Set<TraceNode>();
  const walk = (n: TraceNode, depth: number): void => {
    seen.add(n);
    n.depth = depth;
    for (const c of n.children) if (!seen.has(c)) walk(c, depth + 1);
  };
  for (const r of roots) walk(r, 0);
  for (const n of nodes.values()) {
    if (!seen.has(n)) {
      // Break the cycle at n: detach it from its parent so the tree stays a tree (JSON-safe).
      const parent = n.event.parent_id ? nodes.get(n.event.parent_id) : undefined;
      if (parent) parent.children = parent.children.filter((c) => c !== n);
      roots.push(n);
      walk(n, 0);
    }
  }
  let endMs = 0;
  for (const r of rows) endMs = Math.max(endMs, parseRfc3339(r.ts) + (r.duration_ms ?? 0));
  const startMs = parseRfc3339(rows[0]!.ts);
  return {
    trace_id: traceId,
    spans: rows.length,
    errors: rows.filter((r) => r.status === 'error').length,
    start: rows[0]!.ts,
    end: Number.isFinite(endMs) ? new Date(endMs).toISOString() : rows[rows.length - 1]!.ts,
    duration_ms: Number.isFinite(endMs - startMs) ? endMs - startMs : 0,
    roots,
    truncated,
  };
}
