// Go-side config files of a foxctl home: what the Go foxctl's loader reads
// (joshka0/foxctl internal/platform/config/config.go, the newest stored version: the one with
// SetEnvPrefix("FOXCTL"), index id 62517506540). Keys are the mapstructure tags of its Config
// struct (database.driver, database.turso.url, database.turso.auth_token, cas.store, ...);
// viper's SetConfigName("config") finds config.json, config.yaml or config.yml in that order and
// SetConfigType("yaml") parses each of them as YAML. Written with node's fs, never our editor.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The settings a Go user typically has in the shared config file. */
export interface GoConfig {
  database?: { driver?: string; turso?: { url?: string; auth_token?: string } };
  cas?: { store?: boolean; expose?: 'off' | 'digest' | 'hint' };
  storage?: { root?: string };
  paths?: { cas?: string; observability?: string; jobs?: string; cache?: string; skills?: string };
  logging?: { level?: string };
}

/** YAML of a nested mapping, two spaces per level, strings double-quoted as JSON (valid YAML). */
function yamlOf(obj: Record<string, unknown>, indent = ''): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (v !== null && typeof v === 'object') out += `${indent}${k}:\n${yamlOf(v as Record<string, unknown>, `${indent}  `)}`;
    else out += `${indent}${k}: ${typeof v === 'string' ? JSON.stringify(v) : String(v)}\n`;
  }
  return out;
}

/** Writes the Go config file of a home as `config.<ext>` and returns its path. */
export function writeGoConfig(home: string, cfg: GoConfig, ext: 'yaml' | 'yml' | 'json' = 'yaml'): string {
  const file = path.join(home, `config.${ext}`);
  fs.mkdirSync(home, { recursive: true });
  fs.writeFileSync(file, ext === 'json' ? `${JSON.stringify(cfg, null, 2)}\n` : yamlOf(cfg as Record<string, unknown>));
  return file;
}

/**
 * A store file of the Go foxctl's libsql driver (internal/storage/dbdriver/libsql.go, opened at
 * `<storage.root>/<store file with .db -> .libsql>` by config_loader.go loadLibSQLConfig): a
 * SQLite-format file, written here by the sqlite3 CLI with the rows Go would have put in it.
 */
export function writeGoLibsqlStore(file: string, sql: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const r = spawnSync('/usr/bin/sqlite3', [file], { input: sql, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 could not write ${file}: ${r.stderr}`);
}
