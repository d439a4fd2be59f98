import type { Command } from 'commander';
import { describeProblem } from '../../engine/backup/problems.js';
import { writerOf } from '../../engine/backup/manifest.js';
import type { BackupFormat, BackupSummary, CreateBackupResult, RestoreResult, VerifyResult } from '../../engine/backup/types.js';
import type { VerifyAllItem } from '../../engine/backup/verify-all.js';
import type { SnapshotVerifyResult } from '../../engine/backup/verify-snapshot.js';
import type { FoxConfig } from '../../engine/config/resolve.js';
import { FoxError } from '../../engine/errors.js';
import { parseDuration } from '../../engine/util/duration.js';
import { BackupScheduler, type ScheduleSettings } from '../../api/backup-schedule.js';
import { action, intOption, type ActionContext, type ActionResult } from '../context.js';
import { EXIT_CODES, formatBytes, formatTable } from '../output.js';
import { registerBackupBrowse } from './backup-browse.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const list = (v: unknown): string[] | undefined => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : undefined);
const when = (ts: string): string => ts.slice(0, 19).replace('T', ' ');

/** What list says of a backup's state: damaged, problems, a failed or passed verify, unchecked. */
function stateOf(b: BackupSummary): string {
  if (b.problem) return 'DAMAGED';
  if (b.verified?.ok === false) return 'VERIFY FAILED';
  if (b.status === 'completed_with_problems') return `PROBLEMS (${b.problems.length})`;
  if (b.status === 'unchecked') return b.verified?.ok ? 'verified' : 'unchecked';
  return b.verified?.ok ? 'verified' : 'ok';
}

function noteOf(b: BackupSummary): string {
  if (b.problem) return b.problem;
  const first = b.problems[0];
  if (first) return `${describeProblem(first)}${b.problems.length > 1 ? ` (+${b.problems.length - 1} more: backup info ${b.name})` : ''}`;
  return b.go_format ? 'Go format' : '';
}

/** SIZE is what a backup alone costs on disk: an archive's bytes, or what a snapshot added (of what it holds). */
function sizeOf(b: BackupSummary): string {
  return b.format === 'snapshot' ? `+${formatBytes(b.added_bytes)} of ${formatBytes(b.referenced_bytes)}` : formatBytes(b.size);
}

function summaryTable(rows: BackupSummary[]): string {
  return formatTable(
    ['NAME', 'FORMAT', 'CREATED (UTC)', 'SIZE', 'COMPONENTS', 'STORES', 'STATE', 'NOTE'],
    rows.map((b) => [b.name, b.format, when(b.created_at), sizeOf(b), b.components.join(','), b.stores.join(','), stateOf(b), noteOf(b)]),
  );
}

/** The formats of --format, checked here so a typo is a usage error before the engine opens. */
function formatOption(v: unknown): BackupFormat | undefined {
  if (v === undefined) return undefined;
  if (v === 'tar' || v === 'snapshot') return v;
  throw new FoxError('INVALID_INPUT', `--format must be snapshot or tar (got "${String(v)}")`);
}

/** Exit status of a create that completed with problems: CORRUPT's when anything is damaged, UNAVAILABLE's for locked stores only. */
function problemsExitCode(r: CreateBackupResult): number {
  if (r.status === 'ok') return 0;
  return r.problems.some((p) => p.kind !== 'store_unavailable') ? EXIT_CODES.CORRUPT : EXIT_CODES.UNAVAILABLE;
}

/** The S3 side of backups, loaded (with the AWS SDK) only by the commands that use it. */
const remoteModule = () => import('../../engine/backup/remote.js');

async function remoteList(config: FoxConfig, signal: AbortSignal) {
  const remote = (await remoteModule()).openRemoteBackups(config);
  try {
    const rows = await remote.list({ signal });
    return {
      data: { location: remote.location, backups: rows },
      human: () =>
        rows.length === 0
          ? `no backups in ${remote.location}`
          : formatTable(
              ['NAME', 'FORMAT', 'CREATED (UTC)', 'SIZE', 'COMPONENTS', 'PUSHED FROM', 'NOTE'],
              rows.map((b) => [b.name, b.format ?? 'tar', b.created_at ? when(b.created_at) : '-', formatBytes(b.size), b.components.join(','), b.pushed_from || '-', b.problem ?? '']),
            ),
    };
  } finally {
    remote.close();
  }
}

function restoreText(r: RestoreResult): string {
  const lines = [
    formatTable(
      ['ACTION', 'FILE', 'SIZE', 'DESTINATION'],
      r.files.map((f) => {
        const notes = [f.reason, f.in_use ? `open in ${f.in_use}: refused without --force-in-use` : undefined].filter(Boolean);
        return [f.action, f.path, formatBytes(f.size), notes.length > 0 ? `${f.destination} (${notes.join('; ')})` : f.destination];
      }),
    ),
    '',
    r.dry_run
      ? `dry run: nothing changed (${r.files.filter((f) => f.action !== 'would-skip').length} files, ${formatBytes(r.bytes)} would be written; ${r.skipped} skipped)`
      : `restored ${r.created} new and ${r.replaced} replaced files (${formatBytes(r.bytes)}); ${r.skipped} skipped`,
  ];
  if (r.safety_backup) lines.push(`safety backup of the replaced files: ${r.safety_backup.name} (${r.safety_backup.path})`);
  if (r.closed_connections.length > 0) lines.push(`closed connections to: ${r.closed_connections.join(', ')}`);
  return lines.join('\n');
}

function verifyText(v: VerifyResult): string {
  const lines = v.problems.map((p) => `${p.status.padEnd(18)} ${p.path}${p.detail ? `: ${p.detail}` : ''}`);
  for (const p of v.archive_problems) lines.push(`archive            ${p}`);
  for (const w of v.warnings ?? []) lines.push(`warning: ${w.path}: ${w.detail ?? w.status}`);
  for (const b of (v as Partial<SnapshotVerifyResult>).bad_blobs ?? []) {
    lines.push(`bad blob ${b.blob}${b.pack ? ` in pack ${b.pack}` : ''}, used by ${b.used_by.map((u) => `${u.snapshot}:${u.path}`).join(', ') || 'no snapshot'}`);
  }
  const mbps = v.duration_ms > 0 ? ` at ${formatBytes((v.bytes / v.duration_ms) * 1000)}/s` : '';
  lines.push(
    v.ok
      ? `ok: ${v.files.length} files match their checksums, ${v.databases_checked} databases pass integrity_check (${formatBytes(v.bytes)}${mbps})`
      : `FAILED: ${v.problems.length + v.archive_problems.length} problems in ${v.path}`,
  );
  return lines.join('\n');
}

/** One backup's summary line of verify --all. */
function verifyAllLine(b: VerifyAllItem): string {
  const what = b.outcome === 'gone' ? 'gone' : b.outcome === 'ok' ? 'ok' : 'FAILED';
  const reused = b.reused_files > 0 ? `, ${b.reused_files} already verified in an earlier snapshot` : '';
  const detail =
    b.outcome === 'gone'
      ? `deleted while the run went on (${b.first ?? ''})`
      : b.outcome === 'ok'
        ? `${b.files} files, ${b.databases_checked} databases, ${formatBytes(b.bytes)} read${reused}`
        : `${b.problems} problem${b.problems === 1 ? '' : 's'}: ${b.first ?? ''}`;
  return `${what.padEnd(7)} ${b.format.padEnd(9)} ${b.name}  ${detail} (${(b.duration_ms / 1000).toFixed(1)} s)`;
}

/** `backup verify --all`: a line per backup as it finishes (text mode), then the count; CORRUPT when any failed. */
async function verifyAllAction(ctx: ActionContext): Promise<ActionResult> {
  const onBackup = ctx.json ? undefined : (b: VerifyAllItem): void => void process.stdout.write(`${verifyAllLine(b)}\n`);
  const r = await ctx.waitJob(ctx.engine().backups.verifyAll({ signal: ctx.signal, ...(onBackup ? { onBackup } : {}) }));
  const count = `${r.verified} backup${r.verified === 1 ? '' : 's'} verified`;
  return {
    data: r,
    human: () => (r.verified === 0 ? 'no backups to verify' : r.ok ? `ok: ${count}, all passed` : `FAILED: ${count}, ${r.failed.length} failed: ${r.failed.join(', ')}`),
    exitCode: r.ok ? 0 : EXIT_CODES.CORRUPT,
  };
}

/** `foxctl backup create|list|info|verify|restore|rehearse|delete|prune`. */
export function registerBackupCommands(program: Command): void {
  const backup = program.command('backup').description('consistent backups of the home: Go foxctl archives (tar) or snapshots in a deduplicated repository');

  backup
    .command('create')
    .description('back up stores (snapshotted while they are in use), CAS and files: into the snapshot repository backups/repository (default) or backups/backup_<name>.tar.gz (--format tar)')
    .option('-n, --name <name>', 'backup name (default: local time YYYY-MM-DD_HHMMSS)')
    .option('--format <format>', 'snapshot (default): only what changed since the last snapshot is stored; tar: one Go-format archive the Go foxctl reads')
    .option('-o, --output <path>', 'write the archive here (a directory or a .tar.gz file)')
    .option('-c, --components <components...>', 'components: databases, cas, memory, sessions, jobs, observability (default: all)')
    .option('-e, --exclude <components...>', 'components to leave out')
    .option('--local-only', 'also back up local_only stores (rebuildable or device-local)')
    .option('--integrity', 'check each snapshot with PRAGMA integrity_check instead of quick_check (slower, also checks indexes against tables)')
    .option('--strict', 'write no archive when a check finds a problem (exit CORRUPT, or UNAVAILABLE when stores are only locked)')
    .action(
      action('foxctl.backup.create', async (ctx) => {
        const format = formatOption(ctx.opts.format);
        const job = ctx.engine().backups.create({
          ...(format ? { format } : {}),
          name: typeof ctx.opts.name === 'string' ? ctx.opts.name : undefined,
          output: typeof ctx.opts.output === 'string' ? ctx.opts.output : undefined,
          components: list(ctx.opts.components),
          exclude: list(ctx.opts.exclude),
          includeLocalOnly: ctx.opts.localOnly === true,
          check: ctx.opts.integrity === true ? 'full' : 'quick',
          strict: ctx.opts.strict === true,
          signal: ctx.signal,
        });
        const r = await ctx.waitJob(job);
        const check = r.check === 'full' ? 'integrity_check' : 'quick_check';
        return {
          data: r,
          exitCode: problemsExitCode(r),
          human: () =>
            [
              r.status === 'ok' ? `created ${r.format === 'snapshot' ? 'snapshot' : 'backup'} ${r.name}: ${r.path}` : `COMPLETED WITH PROBLEMS: ${r.format === 'snapshot' ? 'snapshot' : 'backup'} ${r.name}: ${r.path}`,
              r.format === 'snapshot'
                ? `${r.files} files, ${formatBytes(r.referenced_bytes)}: added ${formatBytes(r.added_bytes)} (${r.snapshot_stats?.unchanged_files ?? 0} files unchanged); ${r.database_count} databases (${r.stores.join(', ') || 'none'})`
                : `${r.files} files, ${formatBytes(r.total_size)} -> ${formatBytes(r.compressed_size)}; ${r.database_count} databases (${r.stores.join(', ') || 'none'})`,
              ...r.skipped_stores.map((s) => `skipped ${s.store}: ${s.reason}`),
              ...r.warnings.map((w) => `warning: ${w}`),
              ...r.problems.map((p) => `problem: ${describeProblem(p)}`),
              r.status === 'ok'
                ? `every snapshot passed ${check}`
                : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}: this backup does not count as clean for prune; fix the stores named and back up again (--strict writes nothing instead)`,
            ].join('\n'),
        };
      }),
    );

  backup
    .command('list')
    .description('backups, newest first')
    .option('--remote', 'list the backups pushed to the S3 bucket instead (backup push)')
    .action(
      action('foxctl.backup.list', async (ctx) => {
        if (ctx.opts.remote === true) return remoteList(ctx.engine().config, ctx.signal);
        const rows = await ctx.engine().backups.list({ signal: ctx.signal });
        return { data: { backups: rows }, human: () => (rows.length === 0 ? `no backups in ${ctx.engine().config.backupsDir}` : summaryTable(rows)) };
      }),
    );

  backup
    .command('info')
    .argument('<name>', 'backup name, archive file name or path')
    .description('the manifest of a backup and what a restore would do')
    .action(
      action('foxctl.backup.info', async (ctx, name: string) => {
        const info = await ctx.engine().backups.info(name, { signal: ctx.signal });
        return {
          data: info,
          human: () =>
            [
              summaryTable([info]),
              '',
              `written by ${writerOf(info.manifest) ?? 'unknown'}, ${info.files} files, ${formatBytes(info.total_size)} uncompressed`,
              `checked when created: ${info.status === 'unchecked' ? 'no (written without checks)' : `${info.manifest.check === 'full' ? 'integrity_check' : 'quick_check'}, ${info.status}`}; last verify: ${info.verified ? `${info.verified.ok ? 'ok' : 'FAILED'} at ${info.verified.at}` : 'never'}; ${info.clean ? 'clean' : 'not clean: does not count for prune'}`,
              ...info.problems.map((p) => `problem: ${describeProblem(p)}`),
              ...(info.manifest.skipped_stores ?? []).map((s) => `skipped ${s.store}: ${s.reason}`),
              '',
              'restore (without --force) would:',
              formatTable(['ACTION', 'FILE', 'SIZE', 'DESTINATION'], info.restore_plan.map((f) => [f.action, f.path, formatBytes(f.size), f.destination])),
            ].join('\n'),
        };
      }),
    );

  backup
    .command('verify')
    .argument('[name]', 'backup name, archive file name or path (snapshot:NAME for a snapshot whose name an archive shares)')
    .option('--all', 'verify every archive and snapshot in the backups dir (blobs snapshots share are hashed once); exit CORRUPT naming each that failed')
    .description("check every file's sha256 and every database's integrity, without touching live files (a snapshot: every blob it uses re-hashed)")
    .action(
      action(
        'foxctl.backup.verify',
        async (ctx, name: string | undefined) => {
          if (ctx.opts.all === true) {
            if (name !== undefined) throw new FoxError('INVALID_INPUT', `give a backup name or --all, not both (got "${name}" and --all)`);
            return verifyAllAction(ctx);
          }
          if (name === undefined) throw new FoxError('INVALID_INPUT', 'give the name of the backup to verify, or --all for every backup');
          const v = await ctx.waitJob(ctx.engine().backups.verify(name, { signal: ctx.signal }));
          return { data: v, human: () => verifyText(v), exitCode: v.ok ? 0 : EXIT_CODES.CORRUPT };
        },
        { signalExitStatus: true },
      ),
    );

  backup
    .command('restore')
    .argument('<name>', 'backup name, archive file name or path')
    .description('restore files to their places (existing files are skipped unless --force; a safety backup is taken first)')
    .option('-c, --components <components...>', 'only these components')
    .option('--store <store>', 'only the database of this store (repeatable)', collect)
    .option('-f, --force', 'replace existing files')
    .option('--force-in-use', 'also replace stores another process has open (it goes on with the restored data)')
    .option('--dry-run', 'show what would happen, change nothing')
    .option('--target <dir>', 'restore into this directory (laid out like a home) instead of the live home')
    .action(
      action('foxctl.backup.restore', async (ctx, name: string) => {
        const job = ctx.engine().backups.restore(name, {
          components: list(ctx.opts.components),
          stores: list(ctx.opts.store),
          force: ctx.opts.force === true,
          forceInUse: ctx.opts.forceInUse === true,
          dryRun: ctx.opts.dryRun === true,
          target: typeof ctx.opts.target === 'string' ? ctx.opts.target : undefined,
          signal: ctx.signal,
        });
        const r = await ctx.waitJob(job);
        return { data: r, human: () => restoreText(r) };
      }),
    );

  backup
    .command('rehearse')
    .argument('<name>', 'backup name, archive file name or path')
    .description('restore into a throwaway home, check integrity, compare row counts with the live stores')
    .action(
      action('foxctl.backup.rehearse', async (ctx, name: string) => {
        const r = await ctx.waitJob(ctx.engine().backups.rehearse(name, { signal: ctx.signal }));
        return {
          data: r,
          exitCode: r.ok ? 0 : EXIT_CODES.CORRUPT,
          human: () =>
            [
              formatTable(['DATABASE', 'STORE', 'INTEGRITY', 'TABLES', 'ROWS'], r.databases.map((d) => [d.path, d.store ?? '', d.integrity, d.tables, d.rows])),
              '',
              r.differences.length === 0
                ? 'row counts match the live stores'
                : formatTable(['DIFFERS FROM LIVE', 'TABLE', 'BACKUP', 'LIVE'], r.differences.map((d) => [d.path, d.table, d.backup_rows ?? '-', d.live_rows ?? '-'])),
              '',
              `${r.ok ? 'ok' : 'FAILED'}: restored ${r.restored_files} files into a temp home in ${(r.duration_ms / 1000).toFixed(1)}s`,
            ].join('\n'),
        };
      }),
    );

  registerBackupBrowse(backup);

  for (const kind of ['push', 'pull'] as const) {
    backup
      .command(kind)
      .argument('<name>', kind === 'push' ? 'backup name, archive file name or path' : 'name of a pushed backup (backup list --remote)')
      .description(kind === 'push' ? 'copy a backup to the S3 bucket (FOXCTL_BACKUP_S3_* / FOXCTL_CAS_S3_*) with its SHA-256' : 'copy a pushed backup into the backups dir, verified against its SHA-256')
      .option('-f, --force', kind === 'push' ? 'replace a different remote archive of the same name' : 'replace a different local archive of the same name')
      .action(
        action(`foxctl.backup.${kind}`, async (ctx, name: string) => {
          const { startBackupPush, startBackupPull } = await remoteModule();
          const start = kind === 'push' ? startBackupPush : startBackupPull;
          const r = await ctx.waitJob(start(ctx.engine(), name, { force: ctx.opts.force === true, signal: ctx.signal }));
          const verb = kind === 'push' ? (r.transferred ? 'pushed' : 'already pushed:') : r.transferred ? 'pulled' : 'already here:';
          const what =
            'packs_needed' in r
              ? `snapshot ${r.name} (${r.packs_moved} of ${r.packs_needed} packs moved, ${formatBytes(r.size)}; the rest were there already)`
              : `${r.name} (${formatBytes(r.size)}, sha256 ${r.sha256.slice(0, 12)}…)`;
          return { data: r, human: `${verb} ${what} ${kind === 'push' ? `to ${r.remote}` : `to ${r.path}`}` };
        }),
      );
  }

  backup
    .command('delete')
    .argument('<name>', 'backup name, archive file name or path (snapshot:NAME for a snapshot whose name an archive shares)')
    .description('delete one backup (a snapshot: its file only; backup prune frees the blobs no snapshot uses)')
    .action(
      action('foxctl.backup.delete', async (ctx, name: string) => {
        const r = await ctx.engine().backups.delete(name, { signal: ctx.signal });
        return {
          data: r,
          human: r.format === 'snapshot' ? `deleted snapshot ${r.name} (${r.path}); its blobs are freed by the next backup prune` : `deleted backup ${r.name} (${r.path}, ${formatBytes(r.size)})`,
        };
      }),
    );

  backup
    .command('export')
    .argument('<name>', 'snapshot name')
    .description('write a snapshot as one Go-format archive (the Go foxctl reads it from ~/.foxctl/backups)')
    .option('--out <file>', 'the .tar.gz to write, or a directory ending in / (default: ./backup_<name>.tar.gz)')
    .action(
      action('foxctl.backup.export', async (ctx, name: string) => {
        const r = await ctx.waitJob(ctx.engine().backups.export(name, { ...(typeof ctx.opts.out === 'string' ? { out: ctx.opts.out } : {}), signal: ctx.signal }));
        return { data: r, human: `exported snapshot ${r.name} to ${r.path} (${r.files} files, ${formatBytes(r.total_size)} -> ${formatBytes(r.size)})` };
      }),
    );

  backup
    .command('prune')
    .description('delete old backups and snapshots: keep the newest N clean ones, per day/week/month, and/or those younger than a duration (the newest clean one always stays); then free the repository blobs no snapshot uses')
    .option('--keep-last <n>', 'keep the newest N clean backups (and any not-clean one newer than the Nth)')
    .option('--keep-latest <n>', 'the same as --keep-last (Kopia\'s name)')
    .option('--keep-daily <n>', 'keep the newest clean backup of each of the last N days that have one')
    .option('--keep-weekly <n>', 'keep the newest clean backup of each of the last N ISO weeks that have one')
    .option('--keep-monthly <n>', 'keep the newest clean backup of each of the last N months that have one')
    .option('--older-than <duration>', 'delete backups older than this (e.g. 168h, 30d)')
    .option('--dry-run', 'list what would be deleted and the bytes it would free, delete nothing')
    .action(
      action('foxctl.backup.prune', async (ctx) => {
        const olderThanMs = ctx.opts.olderThan === undefined ? undefined : parseDuration(String(ctx.opts.olderThan), '--older-than');
        const counts = {
          keepLast: intOption(ctx.opts.keepLast, '--keep-last'),
          keepLatest: intOption(ctx.opts.keepLatest, '--keep-latest'),
          keepDaily: intOption(ctx.opts.keepDaily, '--keep-daily'),
          keepWeekly: intOption(ctx.opts.keepWeekly, '--keep-weekly'),
          keepMonthly: intOption(ctx.opts.keepMonthly, '--keep-monthly'),
        };
        const r = await ctx.engine().backups.prune({ ...counts, olderThanMs, dryRun: ctx.opts.dryRun === true, signal: ctx.signal });
        return {
          data: r,
          human: () =>
            [
              r.deleted.length === 0 ? 'nothing to prune' : `${r.dry_run ? 'would delete' : 'deleted'}:\n${summaryTable(r.deleted)}`,
              `${r.dry_run ? 'would free' : 'freed'} ${formatBytes(r.bytes_freed)}; kept ${r.kept.length}`,
              ...(r.repository
                ? [`snapshot repository: ${r.dry_run ? 'would delete' : 'deleted'} ${r.repository.deleted_packs} packs (${r.repository.repacked_packs} repacked) and ${r.repository.orphans} left by interrupted backups, ${formatBytes(r.repository.freed_bytes)}; ${formatBytes(r.repository.kept_bytes)} in use`]
                : []),
              ...r.notes,
              ...(r.not_counted.length > 0 ? [`kept but not counted (not clean: problems, damaged, unchecked or failed verify): ${r.not_counted.join(', ')}`] : []),
              ...(r.protected ? [`kept ${r.protected}: the newest clean backup is never pruned`] : []),
              ...(r.safety.length > 0 ? [`kept apart (safety backups of restores; only --older-than deletes them): ${r.safety.join(', ')}`] : []),
            ].join('\n'),
        };
      }),
    );

  backup
    .command('schedule')
    .description('the nightly backup Storage Studio takes while it runs: show it, or change it in config.yaml')
    .option('--enable', 'turn the nightly backup on')
    .option('--disable', 'turn it off')
    .option('--time <HH:MM>', 'time of day (24-hour)')
    .option('--zone <zone>', 'clock of --time: local or utc')
    .option('--keep <n>', 'nightly backups kept (older nightly ones are deleted after each run; other backups never)')
    .option('--push', 'push each nightly backup to the backup bucket (FOXCTL_BACKUP_S3_*)')
    .option('--no-push', 'do not push nightly backups')
    .action(
      action('foxctl.backup.schedule', async (ctx) => {
        const o = ctx.opts;
        if (o.enable && o.disable) throw new FoxError('INVALID_INPUT', '--enable and --disable exclude each other');
        const patch: Partial<ScheduleSettings> = {};
        if (o.enable || o.disable) patch.enabled = o.enable === true;
        if (o.time !== undefined) patch.time = String(o.time);
        if (o.zone !== undefined) patch.zone = String(o.zone) as ScheduleSettings['zone'];
        if (o.keep !== undefined) patch.keep = intOption(o.keep, '--keep');
        if (o.push !== undefined) patch.push = o.push === true;
        const scheduler = new BackupScheduler(ctx.engine());
        const st = Object.keys(patch).length > 0 ? await scheduler.update(patch) : await scheduler.status();
        return {
          data: st,
          human: () =>
            [
              `nightly backup  ${st.enabled ? `on, at ${st.time}${st.zone === 'utc' ? ' UTC' : ' local time'}, keeping ${st.keep}${st.push ? ', pushed to the backup bucket' : ''}` : 'off'}`,
              `next run        ${st.next_run ?? '-'} (while Storage Studio runs: foxctl studio or the desktop app)`,
              `last run        ${st.last_run ? `${st.last_run.at} ${st.last_run.state}${st.last_run.backup ? ` ${st.last_run.backup}` : ''}${st.last_run.error ? `: ${st.last_run.error.message}` : ''}` : '-'}`,
              ...(st.last_run?.push ? [`last push       ${st.last_run.push.state === 'ok' ? `to ${st.last_run.push.remote}` : `failed: ${st.last_run.push.error?.message ?? ''}`}`] : []),
              `settings in     ${st.config_file}`,
              ...(st.problem ? [`problem         ${st.problem}`] : []),
              ...st.env_overrides.map((e) => `note: ${e.key} is set by $${e.variable}, which wins over the config file`),
            ].join('\n'),
        };
      }),
    );
}
