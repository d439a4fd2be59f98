import type { TestProject } from 'vitest/node';
import { startTestPostgres, type TestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's PostgreSQL server: its maintenance DSN, or why there is none. */
    postgres: { dsn: string } | { unavailable: string };
  }
}

/**
 * Once per vitest run: start the throwaway PostgreSQL cluster the backend suites share (each
 * file creates its own database in it), and stop it at the end.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let pg: TestPostgres | null = null;
  try {
    pg = await startTestPostgres();
    project.provide('postgres', { dsn: pg.dsn });
  } catch (err) {
    project.provide('postgres', { unavailable: `PostgreSQL could not start: ${(err as Error).message.split('\n')[0]}` });
  }
  return async () => {
    await pg?.stop();
  };
}
