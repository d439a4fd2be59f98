import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { DEFAULT_GC_OLDER_THAN } from '../../engine/cas/gc.js';
import { startCasMigrate } from '../../engine/cas/migrate.js';
import { NAME_TAG_PREFIX, namesOf } from '../../engine/cas/names.js';
import type { CasInput, RmResult } from '../../engine/cas/service.js';
import { addCasTags } from '../../engine/cas/tag.js';
import { VERIFY_PROBLEMS, type VerifyResult } from '../../engine/cas/verify.js';
import { casLocations, type CasLocation } from '../../engine/cas/locations.js';
import type { CasObject, CasStats } from '../../engine/cas/types.js';
import { LIST_SORTS, type ListSort } from '../../engine/cas/list-query.js';
import { FoxError } from '../../engine/errors.js';
import { parseDuration } from '../../engine/util/duration.js';
import { action, intOption, type ActionContext } from '../context.js';
import { registerCasArtifactize } from './cas-artifactize.js';
import { EXIT_CODES, formatBytes, formatTable } from '../output.js';

/** Files at least this large are put as a job, so a progress bar shows on a terminal. */
const JOB_THRESHOLD = 16 << 20;

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

function objectLines(o: CasObject): string {
  const rows: [string, string][] = [
    ['digest', o.digest],
    ['size', `${formatBytes(o.size_bytes)} (${o.size_bytes} bytes)`],
    ['kind', o.kind],
    ['tags', o.tags.join(', ') || '-'],
    ['created', o.created_at],
    ...(o.last_put_at ? ([['last put', o.last_put_at]] as [string, string][]) : []),
    ['pinned', o.pinned ? `yes${o.pinned_at ? ` (since ${o.pinned_at})` : ''}` : 'no'],
  ];
  if (o.meta_error) rows.push(['warning', o.meta_error]);
  return rows.map(([k, v]) => `${k.padEnd(9)}${v}`).join('\n');
}

async function put(ctx: ActionContext, file: string | undefined, name?: string) {
  const opts = { kind: ctx.opts.kind as string | undefined, tags: (ctx.opts.tag as string[] | undefined) ?? [], pin: ctx.opts.pin === true, signal: ctx.signal, ...(name !== undefined ? { name } : {}) };
  const cas = ctx.engine().cas;
  let input: CasInput;
  let big = true;
  if (file === undefined || file === '-') {
    if (process.stdin.isTTY) throw new FoxError('INVALID_INPUT', 'nothing to put: give a FILE, or pipe data on stdin (foxctl cas put < file)');
    input = process.stdin;
  } else {
    input = { path: file };
    const { size } = await import('node:fs').then((fs) => fs.promises.stat(file).catch(() => ({ size: 0 })));
    big = size >= JOB_THRESHOLD;
  }
  return big ? ctx.waitJob(cas.startPut(input, { ...opts, title: `cas put ${name ?? file ?? 'stdin'}` })) : cas.put(input, opts);
}

/**
 * The files `cas put` stores and the name each keeps: a FILE by its own name, every regular file
 * under a DIR (with -r) by its path from the folder's name down (`photos/2024/a.jpg`), in name
 * order. Symlinks and other special files inside a folder are left out, and said so.
 */
async function putTargets(args: string[], recursive: boolean): Promise<{ targets: { file: string; name: string }[]; skipped: string[] }> {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const targets: { file: string; name: string }[] = [];
  const skipped: string[] = [];
  const walk = (dir: string, name: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full, `${name}/${e.name}`);
      else if (e.isFile()) targets.push({ file: full, name: `${name}/${e.name}` });
      else skipped.push(full);
    }
  };
  for (const arg of args) {
    let st;
    try {
      st = fs.statSync(arg);
    } catch {
      throw new FoxError('NOT_FOUND', `${arg} does not exist`, { subject: arg });
    }
    if (st.isDirectory()) {
      if (!recursive) throw new FoxError('INVALID_INPUT', `${arg} is a folder: pass -r to store every file under it`, { subject: arg });
      walk(arg, path.basename(path.resolve(arg)));
    } else if (st.isFile()) targets.push({ file: arg, name: path.basename(arg) });
    else throw new FoxError('INVALID_INPUT', `${arg} is not a regular file`, { subject: arg });
  }
  return { targets, skipped };
}

/** `foxctl cas ...`: the content-addressed store (put, get, list, pin, rm, gc, verify, stats). */
export function registerCasCommands(program: Command): void {
  const cas = program.command('cas').description('content-addressed store: objects named by the SHA-256 of their bytes');

  cas
    .command('put')
    .description('store files, every file under a folder (-r), or stdin; prints the digest (and with several files, the name kept for each); existing content is deduplicated and its tags merged')
    .argument('[files...]', 'the files (or folders, with -r) to store; - or nothing for stdin')
    .option('--kind <kind>', 'media type of the content (default application/octet-stream)')
    .option('--tag <tag>', 'a tag (repeat for several)', collect)
    .option('--pin', 'pin it so that gc and rm keep it')
    .option('-r, --recursive', 'store every regular file under each folder, named by its path from the folder down')
    .option('--name <name>', 'the name kept with one file or stdin (default: the file\'s own name; stdin has none)')
    .action(
      action('foxctl.cas.put', async (ctx, files: string[]) => {
        const name = ctx.opts.name as string | undefined;
        const onePlain = files.length === 0 || (files.length === 1 && files[0] === '-');
        if (onePlain) {
          const r = await put(ctx, undefined, name);
          return { data: r, human: r.digest, meta: { cas_digest: r.digest } };
        }
        if (files.includes('-')) throw new FoxError('INVALID_INPUT', 'stdin (-) goes alone: it cannot be put with files');
        const { targets, skipped } = await putTargets(files, ctx.opts.recursive === true);
        if (name !== undefined && targets.length !== 1) throw new FoxError('INVALID_INPUT', `--name names one file; ${targets.length} files were given`);
        if (targets.length === 1 && ctx.opts.recursive !== true) {
          const t = targets[0]!;
          const r = await put(ctx, t.file, name ?? t.name);
          return { data: r, human: r.digest, meta: { cas_digest: r.digest } };
        }
        const results: (Awaited<ReturnType<typeof put>> & { name: string; file: string })[] = [];
        for (const t of targets) {
          const r = await put(ctx, t.file, t.name);
          results.push({ ...r, name: t.name, file: t.file });
        }
        return {
          data: { objects: results, skipped },
          human: () => results.map((r) => `${r.digest}  ${r.name}`).join('\n') || 'no files',
          errors: skipped.map((f) => `skipped ${f}: not a regular file (symlinks and special files are not followed)`),
        };
      }),
    );

  cas
    .command('head')
    .description("an object's metadata: size, kind, tags, created, pinned")
    .argument('<digest>', 'sha256:<64 hex>')
    .action(
      action('foxctl.cas.head', async (ctx, digest: string) => {
        const o = await ctx.engine().cas.head(digest, { signal: ctx.signal });
        return { data: o, human: () => objectLines(o) };
      }),
    );

  cas
    .command('get')
    .description('write an object to stdout or to a file, verified: a corrupt object (CORRUPT) never comes out whole, and up to 64 MiB not at all')
    .argument('<digest>', 'sha256:<64 hex>')
    .option('-o, --output <file>', 'write to this file (a temp file renamed into place only once verified)')
    .action(
      action('foxctl.cas.get', async (ctx, digest: string) => {
        const service = ctx.engine().cas;
        const out = ctx.opts.output as string | undefined;
        if (out !== undefined) {
          const r = await service.getToFile(digest, out, { signal: ctx.signal });
          return { data: r, human: `${r.digest} -> ${r.path} (${formatBytes(r.size_bytes)})` };
        }
        if (ctx.json) throw new FoxError('INVALID_INPUT', 'with --json, give -o FILE: stdout carries the JSON envelope');
        // To stdout, which cannot be taken back: up to 64 MiB nothing is written before the digest
        // matched; above, the last chunk waits for it, so a corrupt object never comes out whole.
        const got = await service.getToVerified(digest, (chunk) => writeOut(process.stdout, chunk), { signal: ctx.signal });
        return { data: got, human: '' };
      }),
    );

  cas
    .command('list')
    .description('objects, newest first')
    .option('--kind <kind>', 'only this kind')
    .option('--tag <tag>', 'only objects with this tag')
    .option('--search <text>', 'only objects whose digest starts with TEXT or one of whose names contains it (case-insensitive)')
    .option('--pinned', 'only pinned objects')
    .option('--unpinned', 'only unpinned objects')
    .option('--created-before <time>', 'only objects created before this RFC 3339 time')
    .option('--created-after <time>', 'only objects created at or after this RFC 3339 time')
    .option('--sort <order>', `order: ${LIST_SORTS.join(', ')}`, '-created')
    .option('--limit <n>', 'page size', '100')
    .option('--cursor <cursor>', 'the next_cursor of the previous page')
    .action(
      action('foxctl.cas.list', async (ctx) => {
        const o = ctx.opts;
        if (o.pinned && o.unpinned) throw new FoxError('INVALID_INPUT', '--pinned and --unpinned exclude each other');
        const page = await ctx.engine().cas.list(
          {
            kind: o.kind as string | undefined,
            tag: o.tag as string | undefined,
            search: o.search as string | undefined,
            pinned: o.pinned ? true : o.unpinned ? false : undefined,
            createdBefore: o.createdBefore as string | undefined,
            createdAfter: o.createdAfter as string | undefined,
            sort: o.sort as ListSort,
            limit: intOption(o.limit, '--limit'),
            cursor: o.cursor as string | undefined,
          },
          { signal: ctx.signal },
        );
        return {
          data: page,
          human: () => {
            if (page.items.length === 0) return 'no objects';
            const table = formatTable(
              ['DIGEST', 'SIZE', 'KIND', 'PINNED', 'CREATED', 'NAME', 'TAGS'],
              page.items.map((i) => {
                const names = namesOf(i.tags);
                const name = names.length === 0 ? '' : names.length === 1 ? names[0]! : `${names[0]} (+${names.length - 1})`;
                return [i.digest, formatBytes(i.size_bytes), i.kind, i.pinned ? 'yes' : '', i.created_at.slice(0, 19).replace('T', ' '), name, i.tags.filter((t) => !t.startsWith(NAME_TAG_PREFIX)).join(',')];
              }),
            );
            return page.next_cursor ? `${table}\n(more: --cursor ${page.next_cursor})` : table;
          },
        };
      }),
    );

  for (const [name, pinned] of [['pin', true], ['unpin', false]] as const) {
    cas
      .command(name)
      .description(pinned ? 'pin an object: gc and rm keep it' : 'unpin an object')
      .argument('<digest>', 'sha256:<64 hex>')
      .action(
        action(`foxctl.cas.${name}`, async (ctx, digest: string) => {
          const svc = ctx.engine().cas;
          const o = pinned ? await svc.pin(digest, { signal: ctx.signal }) : await svc.unpin(digest, { signal: ctx.signal });
          return { data: o, human: `${o.digest} ${pinned ? 'pinned' : 'unpinned'}` };
        }),
      );
  }

  cas
    .command('tag')
    .description("add tags to an object (merged with its tags; its bytes are re-read and verified, and created is refreshed as by a put)")
    .argument('<digest>', 'sha256:<64 hex>')
    .argument('<tag...>', 'one or more tags')
    .action(
      action('foxctl.cas.tag', async (ctx, digest: string, tags: string[]) => {
        const o = await addCasTags(ctx.engine().cas, digest, tags, { signal: ctx.signal });
        return { data: o, human: `${o.digest} tags: ${o.tags.join(', ')}` };
      }),
    );

  cas
    .command('rm')
    .description('remove objects (a pinned one is refused unless --force)')
    .argument('<digest...>', 'sha256:<64 hex>, one or more')
    .option('--force', 'remove even when pinned')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .action(
      action('foxctl.cas.rm', async (ctx, digests: string[]) => {
        const svc = ctx.engine().cas;
        const results: RmResult[] = [];
        for (const d of digests) results.push(await svc.rm(d, { force: ctx.opts.force === true, dryRun: ctx.opts.dryRun === true, signal: ctx.signal }));
        return {
          data: { removed: results },
          human: () => results.map((r) => `${r.dry_run ? 'would remove' : 'removed'} ${r.digest} (${formatBytes(r.size_bytes)}${r.pinned ? ', was pinned' : ''})`).join('\n'),
        };
      }),
    );

  cas
    .command('gc')
    .description('remove unpinned objects created and last put before now minus --older-than')
    .option('--older-than <duration>', "grace window, a Go duration such as 168h or 30m (default the Go CLI's)", DEFAULT_GC_OLDER_THAN)
    .option('--dry-run', 'list what would be removed and the bytes, remove nothing')
    .option('--keep-pinned', 'keep pinned objects (always the case; accepted for the Go CLI)')
    .option('--max-delete <n>', 'remove at most this many objects')
    .action(
      action('foxctl.cas.gc', async (ctx) => {
        const olderThanMs = parseDuration(String(ctx.opts.olderThan), '--older-than');
        const job = ctx.engine().cas.startGc({ olderThanMs, dryRun: ctx.opts.dryRun === true, maxDelete: intOption(ctx.opts.maxDelete, '--max-delete'), signal: ctx.signal });
        const r = await ctx.waitJob(job);
        return {
          data: r,
          exitCode: r.errors > 0 ? 1 : 0,
          human: () => {
            const verb = r.dry_run ? 'would delete' : 'deleted';
            const lines = r.dry_run ? (r.candidates ?? []).map((c) => `${c.digest}  ${formatBytes(c.size_bytes).padStart(10)}  ${c.created_at}`) : [];
            const left = r.objects_left > 0 ? `, ${r.objects_left} left over --max-delete` : '';
            lines.push(`${verb} ${r.objects_deleted} objects (${formatBytes(r.bytes_freed)}), skipped ${r.objects_skipped} (${r.skipped_pinned} pinned, ${r.skipped_fresh} too new)${left}, errors ${r.errors}; cutoff ${r.cutoff}`);
            for (const f of r.failures) lines.push(`error: ${f.digest}: ${f.code}: ${f.message}`);
            return lines.join('\n');
          },
        };
      }),
    );

  cas
    .command('verify')
    .description('re-hash every object and report every loss: corrupt bytes, bytes gone (metadata or pin left), bytes without metadata; exit status non-zero if any')
    .action(
      action('foxctl.cas.verify', async (ctx) => {
        const r = await ctx.waitJob(ctx.engine().cas.startVerify({ signal: ctx.signal }));
        return { data: r, exitCode: verifyExitCode(r), human: () => verifyText(r) };
      }),
    );

  cas
    .command('migrate')
    .description('merge every object of one store into another (e.g. the Go sqlite cas.db into the file store): re-hashes each, skips objects already there, keeps pins; never removes anything from the source')
    .requiredOption('--to <backend>', 'the target: file, sqlite, turso or s3 (configured by its own variables), or a path that cas stats lists')
    .option('--from <backend>', 'the source, as --to (default: the configured CAS)')
    .action(
      action('foxctl.cas.migrate', async (ctx) => {
        const from = ctx.opts.from as string | undefined;
        const r = await ctx.waitJob(startCasMigrate(ctx.engine(), String(ctx.opts.to), { from, signal: ctx.signal }));
        return {
          data: r,
          exitCode: r.errors > 0 ? 1 : 0,
          human: () =>
            [
              `migrated ${r.objects_migrated} objects (${formatBytes(r.bytes_migrated)}) to ${r.to}; skipped ${r.objects_skipped} already there${r.pins_added ? ` (${r.pins_added} pinned)` : ''}; errors ${r.errors}`,
              ...r.failures.map((f) => `error: ${f.digest}: ${f.code}: ${f.message}`),
            ].join('\n'),
        };
      }),
    );

  cas
    .command('stats')
    .description('objects, bytes and pinned objects of the CAS, and of every other place of the home that holds objects (the Go sqlite cas.db, the file store)')
    .action(
      action('foxctl.cas.stats', async (ctx) => {
        const engine = ctx.engine();
        const s = await engine.cas.stats({ signal: ctx.signal });
        const locations = await casLocations(engine, { signal: ctx.signal });
        return { data: { ...s, locations }, human: () => statsText(s, locations) };
      }),
    );

  registerCasArtifactize(cas);
}

/** The active store's totals, then every place with objects (and how to merge them when several hold some). */
function statsText(s: CasStats & { backend: string; location: string }, locations: CasLocation[]): string {
  const lines = [`backend  ${s.backend} (${s.location})`, `objects  ${s.objects} (${formatBytes(s.bytes)})`, `pinned   ${s.pinned} (${formatBytes(s.pinned_bytes)})`];
  const holding = locations.filter((l) => l.objects > 0 || l.error);
  const others = holding.filter((l) => !l.active);
  if (others.length === 0) return lines.join('\n');
  lines.push('', 'objects of this home are in more than one place:');
  lines.push(
    formatTable(
      ['', 'BACKEND', 'OBJECTS', 'SIZE', 'PINNED', 'NOT IN *', 'WHERE', 'USED BY'],
      locations
        .filter((l) => l.active || l.objects > 0 || l.error)
        .map((l) => [l.active ? '*' : '', l.backend, l.error ? '?' : String(l.objects), formatBytes(l.bytes), String(l.pinned), l.active ? '' : (l.pending ?? '?').toString(), l.location, l.error ? `unreadable: ${l.error}` : l.used_by.join('; ')]),
    ),
  );
  const active = locations.find((l) => l.active);
  for (const o of others) if (!o.error && o.pending !== 0) lines.push(`merge into the configured CAS: foxctl cas migrate --from ${o.location} --to ${active?.backend === 'file' || active?.backend === 'sqlite' ? active.location : (active?.backend ?? s.backend)}`);
  return lines.join('\n');
}

/** CORRUPT when anything stored is wrong or lost; IO when objects could only not be read. */
function verifyExitCode(r: VerifyResult): number {
  if (r.ok) return 0;
  return r.problems.some((p) => p.problem !== 'unreadable') ? EXIT_CODES.CORRUPT : EXIT_CODES.IO;
}

/** A summary, one line per problem (`kind digest: what`), then what to do per kind. */
function verifyText(r: VerifyResult): string {
  const found = VERIFY_PROBLEMS.filter((k) => r.counts[k] > 0);
  const lines = [
    `checked ${r.objects_checked} objects (${formatBytes(r.bytes_checked)}): ${r.ok ? 'no problems' : `${r.problems.length} ${r.problems.length === 1 ? 'problem' : 'problems'} (${found.map((k) => `${r.counts[k]} ${k}`).join(', ')})`}`,
    ...r.problems.map((p) => `${p.problem} ${p.digest}: ${p.message}`),
  ];
  if (found.length > 0) lines.push('what to do:', ...found.map((k) => `  ${k}: ${r.problems.find((p) => p.problem === k)!.hint}`));
  return lines.join('\n');
}

/** Writes one chunk and resolves once the stream is done with it (the chunk's buffer is then reused). */
function writeOut(out: Writable, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    out.write(chunk, (err) => (err ? reject(err) : resolve()));
  });
}
