import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Document } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { FoxError } from '../errors.js';
import { CONFIG_KEYS, findKeyDef } from './keys.js';
import { parseValue, type Env } from './resolve.js';

/** A value to write, or null to remove the key from the file (back to its default). */
export type ConfigEditValue = string | number | boolean | null;

/** One change: a known key and its new value (null removes it). */
export interface ConfigEdit {
  key: string;
  value: ConfigEditValue;
}

/** What one key became, and whether an env variable still overrides it. */
export interface ConfigEditChange {
  key: string;
  /** The value written (typed as YAML holds it), or null when removed. */
  value: string | number | boolean | null;
  /** The value the file held before, or null when it was absent. */
  previous: unknown;
  /** The env variable that overrides this key right now: the edit does not take effect while it is set. */
  overriddenBy: string | null;
}

/** The result of editConfig. */
export interface ConfigEditResult {
  file: string;
  changes: ConfigEditChange[];
}

/** Options of editConfig. */
export interface ConfigEditOptions {
  /** The environment, to report which edits an env variable overrides. */
  env?: Env;
  /** Called with the temp file after it is written and before the rename (tests simulate a crash here). */
  beforeRename?: (tempFile: string) => void;
}

/** Reads the config file as a YAML Document (comments kept); an absent file is an empty document. */
function loadDocument(file: string): { doc: Document; existed: boolean; mode: number } {
  let text = '';
  let existed = false;
  let mode = 0o644;
  try {
    text = fs.readFileSync(file, 'utf8');
    existed = true;
    mode = fs.statSync(file).mode & 0o777;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new FoxError('IO', `cannot read config file ${file}: ${(err as Error).message}`, { subject: file, cause: err });
  }
  const doc = yamlLib().parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}` : '';
    throw new FoxError('INVALID_INPUT', `config file ${file} is not valid YAML${where}; fix it by hand before editing: ${first.message.split('\n')[0]}`, { subject: file });
  }
  if (doc.contents !== null && !yamlLib().isMap(doc.contents) && !(yamlLib().isScalar(doc.contents) && doc.contents.value === null)) {
    throw new FoxError('INVALID_INPUT', `config file ${file} must be a YAML mapping of keys to values; not editing it`, { subject: file });
  }
  return { doc, existed, mode };
}

/** The path of a key inside the document: a literal dotted top-level key if the file uses one, else nested. */
function keyPath(doc: Document, key: string): string[] {
  return yamlLib().isMap(doc.contents) && doc.contents.has(key) ? [key] : key.split('.');
}

/** Removes maps left empty by a delete, from the leaf's parent upwards. */
function pruneEmpty(doc: Document, p: string[]): void {
  for (let n = p.length - 1; n > 0; n--) {
    const parent = doc.getIn(p.slice(0, n), true);
    if (yamlLib().isMap(parent) && parent.items.length === 0) doc.deleteIn(p.slice(0, n));
    else break;
  }
}

/** Validates one edit against keys.ts: INVALID_INPUT naming the key and what was wrong. */
function validate(edit: ConfigEdit): string | number | boolean | null {
  const d = findKeyDef(edit.key);
  if (!d) {
    throw new FoxError('INVALID_INPUT', `unknown config key "${edit.key}"; known keys: ${CONFIG_KEYS.map((k) => k.key).join(', ')}`, { subject: 'config' });
  }
  if (edit.value === null) return null;
  if (d.mask && d.key.endsWith('token')) {
    throw new FoxError('INVALID_INPUT', `${d.key} is a secret and config.yaml is plain text: keep it in Storage Studio's Settings (secret store) or in $${d.env[0]!}`, { subject: 'config' });
  }
  // Paths are written as typed (with `~`), not expanded: parseValue only checks them.
  return parseValue(d, edit.value, 'the edit');
}

/** Writes `text` to `file` atomically: a temp file in the same directory, fsync, rename. */
export function writeFileAtomic(file: string, text: string, mode: number, beforeRename?: (tempFile: string) => void): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(tmp, 'wx', mode);
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.chmodSync(tmp, mode);
    beforeRename?.(tmp);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    if (err instanceof FoxError) throw err;
    throw new FoxError('IO', `cannot write ${file}: ${(err as Error).message}`, { subject: file, cause: err });
  }
  try {
    const dfd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(dfd);
    } finally {
      fs.closeSync(dfd);
    }
  } catch {
    // Directory fsync is best effort (not supported everywhere); the rename already happened.
  }
}

/**
 * Writes values into the YAML config file, keeping its comments, order and other keys.
 * Every edit is validated against keys.ts first (nothing is written if one is bad); the file is
 * replaced atomically. An edit of a key an env variable overrides is written but reported.
 */
export function editConfig(configFile: string, edits: readonly ConfigEdit[], opts: ConfigEditOptions = {}): ConfigEditResult {
  if (edits.length === 0) return { file: configFile, changes: [] };
  const typed = edits.map((e) => ({ key: e.key, value: validate(e) }));
  const { doc, mode } = loadDocument(configFile);
  if (!yamlLib().isMap(doc.contents)) doc.contents = doc.createNode({}) as typeof doc.contents;
  const changes: ConfigEditChange[] = [];
  for (const e of typed) {
    const p = keyPath(doc, e.key);
    const previous: unknown = doc.getIn(p);
    try {
      if (e.value === null) {
        doc.deleteIn(p);
        pruneEmpty(doc, p);
      } else {
        doc.setIn(p, e.value);
      }
    } catch (err) {
      throw new FoxError('INVALID_INPUT', `cannot set ${e.key} in ${configFile}: a parent of the key holds a plain value (${(err as Error).message})`, { subject: configFile });
    }
    const d = findKeyDef(e.key)!;
    const env = opts.env ?? {};
    const overriddenBy = d.env.find((v) => env[v] !== undefined && env[v]!.trim() !== '') ?? null;
    changes.push({ key: e.key, value: e.value, previous: previous ?? null, overriddenBy });
  }
  writeFileAtomic(configFile, doc.toString(), mode, opts.beforeRename);
  return { file: configFile, changes };
}

/** Sets one key (null removes it); see editConfig. */
export function setConfigValue(configFile: string, key: string, value: ConfigEditValue, opts: ConfigEditOptions = {}): ConfigEditChange {
  return editConfig(configFile, [{ key, value }], opts).changes[0]!;
}

/** The raw value of a key in the config file (before masking), or undefined when absent or the file is missing. */
export function readConfigValue(configFile: string, key: string): unknown {
  if (!fs.existsSync(configFile)) return undefined;
  const { doc } = loadDocument(configFile);
  const v: unknown = doc.getIn(keyPath(doc, key));
  if (v !== null && v !== undefined) return v;
  // The Go foxctl's name of the same setting (keys.ts goKey), as resolveConfig reads it.
  const goKey = findKeyDef(key)?.goKey;
  const g: unknown = goKey ? doc.getIn(keyPath(doc, goKey)) : undefined;
  return g === null ? undefined : g;
}
