import { FoxError } from '../errors.js';

/** Store classes: they decide what is backed up, synced or rebuilt. */
export const STORE_CLASSES = ['sync_critical', 'sync_useful', 'local_only', 'observability', 'external'] as const;

/** One of STORE_CLASSES. */
export type StoreClass = (typeof STORE_CLASSES)[number];

/** Where a store's file lives. */
export type StoreLocation =
  | { kind: 'storage'; file: string }
  | { kind: 'observability'; file: string }
  | { kind: 'repoindex' }
  | { kind: 'obsidianindex' };

/** One store of the registry and its policy. */
export interface StoreDef {
  /** Upper-case name; also the env prefix `FOXCTL_<NAME>_...`. */
  name: string;
  class: StoreClass;
  location: StoreLocation;
  /** File name for display (`repoindex/<key>.db` for keyed stores). */
  file: string;
  /** Included in a default backup. */
  backedUpByDefault: boolean;
  /** Can be rebuilt from other data (so losing it loses nothing). */
  rebuildable: boolean;
  /** Read-only import surface: never written, migrated or restored by us. */
  readOnly: boolean;
  /** Whether the store needs a key (a repo root, a vault) to name its file. */
  keyed: boolean;
  description: string;
}

/** What each class means, in one line a user reads. */
export const CLASS_DESCRIPTIONS: Record<StoreClass, string> = {
  sync_critical: 'Agent state that must never be lost: always backed up, first to sync.',
  sync_useful: 'Accumulated knowledge worth keeping: always backed up and synced.',
  local_only: 'Rebuildable or device-local: backed up only when asked, never synced.',
  observability: 'Events and telemetry: backed up with the observability component.',
  external: 'Owned by another tool: read-only here, never backed up or written.',
};

type Row = [name: string, file: string, description: string, rebuildable?: boolean];

const storage = (cls: StoreClass, rows: Row[]): StoreDef[] =>
  rows.map(([name, file, description, rebuildable]) => ({
    name,
    class: cls,
    location: { kind: 'storage', file },
    file,
    backedUpByDefault: cls === 'sync_critical' || cls === 'sync_useful',
    rebuildable: rebuildable ?? false,
    readOnly: false,
    keyed: false,
    description,
  }));

/** Every store of FORMATS.md, in display order. */
export const STORES: readonly StoreDef[] = [
  ...storage('sync_critical', [
    ['COORDINATION', 'coordination.db', 'Coordination between agents'],
    ['SESSIONS', 'sessions.db', 'Agent sessions'],
    ['TASKS', 'tasks.db', 'Tasks and their state'],
    ['MAILBOX', 'mailbox.db', 'Messages between agents'],
    ['AGENTS', 'agents.db', 'Agent definitions'],
    ['MEMORY', 'memory.db', 'Named memory and embeddings'],
    ['COMPANION', 'companion.db', 'Companion turns, episodes and evidence'],
    ['CONTEXTVAR', 'contextvar.db', 'Context variables and sequences'],
  ]),
  ...storage('sync_useful', [
    ['KNOWLEDGE', 'knowledge.db', 'Knowledge base'],
    ['TEAMS', 'teams.db', 'Teams'],
    ['TRAJECTORY', 'trajectory.db', 'Agent trajectories'],
  ]),
  ...storage('local_only', [
    ['BLACKBOARD', 'blackboard.db', 'Shared scratch space', true],
    ['BOARD', 'board.db', 'Board', true],
    ['CACHE', 'cache.db', 'Cache', true],
    ['JOBS', 'jobs.db', 'Long-running jobs of this device'],
    ['QUOTAS', 'quotas.db', 'Quota accounting of this device'],
    ['TESTWATCH', 'test_watch.db', 'Test watcher state', true],
    ['CONTEXTBUFFER', 'contextbuffer.db', 'Context buffers', true],
    ['GRAPH', 'graph.db', 'Graph index', true],
    ['EMBEDDING_QUEUE', 'embedding_queue.db', 'Embedding work queue', true],
    ['SUMMARY_QUEUE', 'summary_queue.db', 'Summary work queue', true],
    ['DAEMON_DEDUPE', 'daemon_dedupe.db', 'Daemon de-duplication', true],
    ['PATTERNS', 'patterns.db', 'Learned patterns', true],
    ['POST_REVIEW', 'post_review_events.db', 'Post-review events', true],
    ['CONVERSATION_SETTINGS', 'conversation_settings.db', 'Conversation settings of this device'],
  ]),
  {
    name: 'REPOINDEX',
    class: 'local_only',
    location: { kind: 'repoindex' },
    file: 'repoindex/<key>.db',
    backedUpByDefault: false,
    rebuildable: true,
    readOnly: false,
    keyed: true,
    description: 'Code index of one repository (nodes, edges)',
  },
  {
    name: 'OBSIDIANINDEX',
    class: 'local_only',
    location: { kind: 'obsidianindex' },
    file: 'obsidianindex-<key>.db',
    backedUpByDefault: false,
    rebuildable: true,
    readOnly: false,
    keyed: true,
    description: 'Index of one Obsidian vault',
  },
  ...storage('local_only', [['CAS', 'cas.db', 'CAS objects (sqlite backend)']]),
  {
    name: 'EVENTS',
    class: 'observability',
    location: { kind: 'observability', file: 'events.db' },
    file: 'events.db',
    backedUpByDefault: false,
    rebuildable: false,
    readOnly: false,
    keyed: false,
    description: 'Structured events synced from NDJSON',
  },
  {
    name: 'OPENCODE',
    class: 'external',
    location: { kind: 'storage', file: 'opencode.db' },
    file: 'opencode.db',
    backedUpByDefault: false,
    rebuildable: false,
    readOnly: true,
    keyed: false,
    description: 'OpenCode sessions (import surface)',
  },
];

/** Every store name, in display order. */
export const STORE_NAMES: readonly string[] = STORES.map((s) => s.name);

/** Normalises a user-typed store name: ignores case and surrounding spaces. */
export function normalizeStoreName(name: string): string {
  return name.trim().toUpperCase();
}

/** Looks a store up by name (case and surrounding spaces ignored); unknown names list the valid ones. */
export function lookupStore(name: string): StoreDef {
  const wanted = normalizeStoreName(name);
  const found = STORES.find((s) => s.name === wanted);
  if (!found) {
    throw new FoxError('NOT_FOUND', `unknown store "${name.trim()}"; valid stores: ${STORE_NAMES.join(', ')}`, {
      subject: `store ${name.trim()}`,
    });
  }
  return found;
}

/** The stores of one class. */
export function storesOfClass(cls: StoreClass): StoreDef[] {
  return STORES.filter((s) => s.class === cls);
}
