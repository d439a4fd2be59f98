// The seeded home's MEMORY store, for specs that write to it as an agent would.
import Database from 'better-sqlite3';
import type { AppPage } from '../pages/app-page.js';

/** The MEMORY store's file, as the studio reports it. */
export async function memoryFile(app: AppPage): Promise<string> {
  const res = await app.call('stores.list', {});
  const memory = (res.value as { name: string; path: string | null }[]).find((s) => s.name === 'MEMORY');
  if (!memory?.path) throw new Error('the seeded home has no MEMORY file');
  return memory.path;
}

/**
 * Adds e2e_people (id, name, age, city) to MEMORY as an agent would: WAL, in one transaction,
 * while the studio runs. Person i is "person i" with the age and city the caller gives.
 */
export async function seedPeople(app: AppPage, count: number, person: (i: number) => { age: number | null; city: string }): Promise<void> {
  const db = new Database(await memoryFile(app));
  try {
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE e2e_people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER, city TEXT)');
    const ins = db.prepare('INSERT INTO e2e_people (name, age, city) VALUES (?, ?, ?)');
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const p = person(i);
        ins.run(`person ${i}`, p.age, p.city);
      }
    })();
  } finally {
    db.close();
  }
}
