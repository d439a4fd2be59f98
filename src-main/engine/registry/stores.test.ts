import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isFoxError } from '../errors.js';
import { tempHome } from '../../test/temp-home.js';
import { listStoreKeys, repoIndexKey, storePath } from './paths.js';
import { lookupStore, STORE_NAMES, STORES, storesOfClass } from './stores.js';

/** FORMATS.md's registry, written out once more so a drift in either place fails here. */
const FORMATS: Record<string, [string, string]> = {
  COORDINATION: ['sync_critical', 'coordination.db'],
  SESSIONS: ['sync_critical', 'sessions.db'],
  TASKS: ['sync_critical', 'tasks.db'],
  MAILBOX: ['sync_critical', 'mailbox.db'],
  AGENTS: ['sync_critical', 'agents.db'],
  MEMORY: ['sync_critical', 'memory.db'],
  COMPANION: ['sync_critical', 'companion.db'],
  CONTEXTVAR: ['sync_critical', 'contextvar.db'],
  KNOWLEDGE: ['sync_useful', 'knowledge.db'],
  TEAMS: ['sync_useful', 'teams.db'],
  TRAJECTORY: ['sync_useful', 'trajectory.db'],
  BLACKBOARD: ['local_only', 'blackboard.db'],
  BOARD: ['local_only', 'board.db'],
  CACHE: ['local_only', 'cache.db'],
  JOBS: ['local_only', 'jobs.db'],
  QUOTAS: ['local_only', 'quotas.db'],
  TESTWATCH: ['local_only', 'test_watch.db'],
  CONTEXTBUFFER: ['local_only', 'contextbuffer.db'],
  GRAPH: ['local_only', 'graph.db'],
  EMBEDDING_QUEUE: ['local_only', 'embedding_queue.db'],
  SUMMARY_QUEUE: ['local_only', 'summary_queue.db'],
  DAEMON_DEDUPE: ['local_only', 'daemon_dedupe.db'],
  PATTERNS: ['local_only', 'patterns.db'],
  POST_REVIEW: ['local_only', 'post_review_events.db'],
  CONVERSATION_SETTINGS: ['local_only', 'conversation_settings.db'],
  REPOINDEX: ['local_only', 'repoindex/<key>.db'],
  OBSIDIANINDEX: ['local_only', 'obsidianindex-<key>.db'],
  CAS: ['local_only', 'cas.db'],
  EVENTS: ['observability', 'events.db'],
  OPENCODE: ['external', 'opencode.db'],
};

describe('store registry', () => {
  it('holds exactly the stores of FORMATS.md, each with its class and file', () => {
    expect([...STORE_NAMES].sort()).toEqual(Object.keys(FORMATS).sort());
    for (const s of STORES) {
      expect([s.name, s.class, s.file]).toEqual([s.name, ...FORMATS[s.name]!]);
    }
  });

  it('backs up sync_critical and sync_useful by default, never external; external is read-only', () => {
    for (const s of STORES) {
      expect(s.backedUpByDefault).toBe(s.class === 'sync_critical' || s.class === 'sync_useful');
      expect(s.readOnly).toBe(s.class === 'external');
    }
    expect(storesOfClass('external').map((s) => s.name)).toEqual(['OPENCODE']);
    expect(STORES.filter((s) => s.keyed).map((s) => s.name).sort()).toEqual(['OBSIDIANINDEX', 'REPOINDEX']);
  });

  it('looks names up ignoring case and surrounding spaces', () => {
    expect(lookupStore('memory').name).toBe('MEMORY');
    expect(lookupStore('  Embedding_Queue \t').name).toBe('EMBEDDING_QUEUE');
    expect(lookupStore('EVENTS').class).toBe('observability');
  });

  it('refuses an unknown name with NOT_FOUND listing the valid names', () => {
    try {
      lookupStore(' memroy ');
      expect.unreachable();
    } catch (err) {
      expect(isFoxError(err, 'NOT_FOUND')).toBe(true);
      const msg = (err as Error).message;
      expect(msg).toContain('"memroy"');
      for (const name of STORE_NAMES) expect(msg).toContain(name);
    }
  });
});

describe('store paths', () => {
  it('derives the REPOINDEX keys of the issue', () => {
    expect(repoIndexKey('/home/alice/src/My-Repo.v2')).toBe('MyRepov2-repoindex-96e83577a667a6ca');
    expect(repoIndexKey('/srv/ünïcode/---')).toBe('repo-repoindex-2f547de1b19158f0');
  });

  it('puts stores under the storage root, EVENTS under the observability dir', () => {
    const h = tempHome();
    const c = h.config({ FOXCTL_OBS_DIR: '/obs' });
    expect(storePath(c, lookupStore('memory'))).toBe(path.join(h.home, 'storage', 'memory.db'));
    expect(storePath(c, lookupStore('post_review'))).toBe(path.join(h.home, 'storage', 'post_review_events.db'));
    expect(storePath(c, lookupStore('events'))).toBe('/obs/events.db');
  });

  it('honours FOXCTL_<STORE>_DB_PATH and FOXCTL_REPOINDEX_DB_DIR', () => {
    const h = tempHome();
    const c = h.config({ FOXCTL_TASKS_DB_PATH: 'elsewhere/t.db', FOXCTL_REPOINDEX_DB_DIR: '/idx' });
    expect(storePath(c, lookupStore('TASKS'))).toBe(path.join(h.home, 'elsewhere/t.db'));
    expect(storePath(c, lookupStore('REPOINDEX'), { repo: '/home/alice/src/My-Repo.v2' })).toBe('/idx/MyRepov2-repoindex-96e83577a667a6ca.db');
  });

  it('needs a repo or a valid key for keyed stores', () => {
    const c = tempHome().config();
    expect(() => storePath(c, lookupStore('REPOINDEX'))).toThrow(/--repo/);
    expect(() => storePath(c, lookupStore('REPOINDEX'), { key: '../escape' })).toThrow(/invalid REPOINDEX key/);
    expect(() => storePath(c, lookupStore('OBSIDIANINDEX'))).toThrow(/needs a key/);
    expect(storePath(c, lookupStore('OBSIDIANINDEX'), { key: 'vault1' })).toBe(path.join(c.storageRoot, 'obsidianindex-vault1.db'));
  });

  it('lists the keys of keyed stores found on disk', () => {
    const c = tempHome().config();
    const dir = path.join(c.storageRoot, 'repoindex');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'b-repoindex-00.db'), '');
    fs.writeFileSync(path.join(dir, 'a-repoindex-01.db'), '');
    fs.writeFileSync(path.join(dir, 'a-repoindex-01.db-wal'), '');
    fs.writeFileSync(path.join(c.storageRoot, 'obsidianindex-notes.db'), '');
    expect(listStoreKeys(c, lookupStore('REPOINDEX'))).toEqual(['a-repoindex-01', 'b-repoindex-00']);
    expect(listStoreKeys(c, lookupStore('OBSIDIANINDEX'))).toEqual(['notes']);
    expect(listStoreKeys(c, lookupStore('MEMORY'))).toEqual([]);
  });
});
