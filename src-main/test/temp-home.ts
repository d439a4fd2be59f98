import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import { resolveConfig, type Env, type FoxConfig } from '../engine/config/resolve.js';

/** A throwaway foxctl home for one test, removed after it. */
export interface TempHome {
  /** The home directory (FOXCTL_HOME). */
  home: string;
  /** An env with FOXCTL_HOME set to the home, plus `extra`. */
  env(extra?: Record<string, string>): Env;
  /** The resolved config of this home. */
  config(extra?: Record<string, string>): FoxConfig;
}

const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** Creates a temp home for the current test (removed after it). */
export function tempHome(): TempHome {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-home-'));
  made.push(root);
  const home = path.join(root, '.foxctl');
  fs.mkdirSync(home);
  const env = (extra: Record<string, string> = {}): Env => ({ HOME: root, FOXCTL_HOME: home, ...extra });
  return { home, env, config: (extra) => resolveConfig({ env: env(extra) }) };
}
