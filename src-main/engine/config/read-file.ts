import fs from 'node:fs';
import type { LineCounter, Document } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { FoxError } from '../errors.js';

/** What a config file holds: its values by dotted key, and the line each key is written on. */
export interface ConfigFileData {
  values: Map<string, unknown>;
  /** 1-based line of each key of the file (keys that came from a merge `<<` have none). */
  lines: Map<string, number>;
}

/** Flattens a parsed YAML mapping into dotted keys (`storage: {root: x}` -> `storage.root`). */
function flatten(obj: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (obj !== null && typeof obj === 'object' && !Array.isArray(obj)) {
    for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
      const key = prefix ? `${prefix}.${k}` : k;
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
      else out.set(key, v);
    }
  }
  return out;
}

/** The line of each key as written in the file (aliases are not followed: a key is where it is typed). */
function keyLines(node: unknown, lc: LineCounter, prefix = '', out: Map<string, number> = new Map()): Map<string, number> {
  if (!yamlLib().isMap(node)) return out;
  for (const pair of node.items) {
    if (!yamlLib().isScalar(pair.key) || pair.key.value === '<<') continue;
    const key = prefix ? `${prefix}.${String(pair.key.value)}` : String(pair.key.value);
    if (pair.key.range) out.set(key, lc.linePos(pair.key.range[0]).line);
    keyLines(pair.value, lc, key, out);
  }
  return out;
}

/**
 * Refuses an alias that refers to a value containing it (`a: &x [*x]`, or two anchors naming each
 * other): converting such a document gives a circular object, which would end in "Maximum call
 * stack size exceeded" or "Converting circular structure to JSON" far from the file. A depth-first
 * walk that follows aliases, with each collection visited once, so an alias bomb stays linear.
 */
function assertNoAliasCycle(doc: Document, file: string, lc: LineCounter): void {
  const open = new Set<unknown>();
  const done = new Set<unknown>();
  const walk = (node: unknown): void => {
    if (yamlLib().isAlias(node)) {
      const target = node.resolve(doc);
      const line = node.range ? lc.linePos(node.range[0]).line : 0;
      if (target === undefined) {
        throw new FoxError('INVALID_INPUT', `config file ${file} at line ${line}: the alias *${node.source} has no anchor &${node.source} before it`, { subject: file });
      }
      if (open.has(target)) {
        throw new FoxError(
          'INVALID_INPUT',
          `config file ${file} at line ${line}: the alias *${node.source} refers to a value that contains it (a self-referencing YAML alias); write the value out instead`,
          { subject: file },
        );
      }
      return walk(target);
    }
    if ((!yamlLib().isMap(node) && !yamlLib().isSeq(node)) || done.has(node)) return;
    open.add(node);
    for (const item of node.items as unknown[]) {
      if (yamlLib().isPair(item)) {
        walk(item.key);
        walk(item.value);
      } else walk(item);
    }
    open.delete(node);
    done.add(node);
  };
  walk(doc.contents);
}

/** Reads and parses a config file; a YAML error names the file and line. Undefined when a default file is absent. */
export function readConfigFile(file: string, explicit: boolean): ConfigFileData | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return undefined;
    if (code === 'ENOENT') throw new FoxError('NOT_FOUND', `config file ${file} does not exist`, { subject: file, cause: err });
    throw new FoxError('IO', `cannot read config file ${file}: ${(err as Error).message}`, { subject: file, cause: err });
  }
  const lineCounter = new (yamlLib().LineCounter)();
  // Merge keys (`<<: *defaults`) as the Go foxctl's YAML reader applies them.
  const doc = yamlLib().parseDocument(text, { prettyErrors: true, lineCounter, merge: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}` : '';
    throw new FoxError('INVALID_INPUT', `config file ${file} is not valid YAML${where}: ${first.message.split('\n')[0]}`, { subject: file });
  }
  assertNoAliasCycle(doc, file, lineCounter);
  let data: unknown;
  try {
    data = doc.toJS();
  } catch (err) {
    // e.g. too many aliases ("Excessive alias count"): the YAML library's own limit.
    throw new FoxError('INVALID_INPUT', `config file ${file} cannot be read: ${(err as Error).message}`, { subject: file, cause: err });
  }
  if (data === null || data === undefined) return { values: new Map(), lines: new Map() };
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new FoxError('INVALID_INPUT', `config file ${file} must be a YAML mapping of keys to values`, { subject: file });
  }
  return { values: flatten(data), lines: keyLines(doc.contents, lineCounter) };
}
