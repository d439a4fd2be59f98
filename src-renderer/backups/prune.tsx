import { useState, type ReactNode } from 'react';
import type { CallArgs, PruneResult } from '../../src-preload/contract';
import { formatBytes, timeAgo } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from './backup-job';
import { ErrorNotice } from '../shared/error-notice';
import { Dialog } from '../shared/dialog';

/** Kopia's retention rules and the defaults shown in the form (`foxctl backup prune`'s own). */
const RULES = [
  { key: 'keepLast', label: 'Latest', hint: 'the newest clean backups', def: '7', testId: 'prune-keep-last' },
  { key: 'keepDaily', label: 'Daily', hint: 'the newest of each of the last N days', def: '7', testId: 'prune-keep-daily' },
  { key: 'keepWeekly', label: 'Weekly', hint: 'the newest of each of the last N weeks', def: '4', testId: 'prune-keep-weekly' },
  { key: 'keepMonthly', label: 'Monthly', hint: 'the newest of each of the last N months', def: '12', testId: 'prune-keep-monthly' },
] as const;

type RuleKey = (typeof RULES)[number]['key'];

/** A whole number 0-10000 typed in a field, or the reason it is not one. */
function countOf(text: string): number | string | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (!/^\d+$/.test(t) || Number(t) > 10_000) return 'a whole number from 0 to 10000';
  return Number(t);
}

/**
 * Prune, with Kopia's retention rules (keep the latest N, and the newest of each of the last N
 * days, weeks, months; any rule that keeps a backup keeps it), an optional age, a preview of what
 * would be deleted before anything is, and the safety backups of restores listed apart.
 */
export function PrunePanel({ onClose }: { onClose: () => void }): ReactNode {
  const prune = useStudio((s) => s.pruneBackups);
  const req = useStudio((s) => s.requests['backups.prune'] ?? IDLE);
  const clear = useStudio((s) => s.clearError);
  const [rules, setRules] = useState<Record<RuleKey, string>>(() => Object.fromEntries(RULES.map((r) => [r.key, r.def])) as Record<RuleKey, string>);
  const [olderThan, setOlderThan] = useState('');
  const [result, setResult] = useState<PruneResult | null>(null);
  const bad = RULES.map((r) => [r, countOf(rules[r.key])] as const).filter(([, v]) => typeof v === 'string');
  const badAge = olderThan.trim() !== '' && !/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(olderThan.trim());
  const none = RULES.every((r) => countOf(rules[r.key]) === undefined) && olderThan.trim() === '';
  const valid = bad.length === 0 && !badAge && !none;
  const input = (dryRun: boolean): CallArgs<'backups.prune'> => {
    const out: CallArgs<'backups.prune'> = { dryRun };
    for (const r of RULES) {
      const v = countOf(rules[r.key]);
      if (typeof v === 'number') out[r.key] = v;
    }
    if (olderThan.trim() !== '') out.olderThan = olderThan.trim();
    return out;
  };
  const run = async (dryRun: boolean): Promise<void> => {
    const r = await prune(input(dryRun));
    if (r) setResult(r);
  };
  const edit = (patch: () => void): void => {
    patch();
    setResult(null);
  };
  const safety = new Set(result?.safety ?? []);
  const deletedSafety = result?.deleted.filter((b) => b.name.startsWith('pre-restore-')) ?? [];
  const deleted = result?.deleted.filter((b) => !b.name.startsWith('pre-restore-')) ?? [];
  return (
    <Dialog title="Prune backups" onClose={onClose} testId="prune-panel" wide>
      <p>
        A backup is kept when any rule keeps it. Only clean backups fill a rule's places: one with problems, damaged or failed by a verify is kept while it is newer than the last place filled, and the
        newest clean backup is never deleted. Safety backups a restore took are kept apart.
      </p>
      <form
        className="prune-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (valid) void run(true);
        }}
      >
        <fieldset className="prune-rules">
          <legend>Keep</legend>
          {RULES.map((r) => (
            <label key={r.key} title={r.hint}>
              <span>{r.label}</span>
              <input
                className="input"
                inputMode="numeric"
                value={rules[r.key]}
                onChange={(e) => edit(() => setRules({ ...rules, [r.key]: e.target.value }))}
                aria-label={`Keep ${r.label.toLowerCase()}`}
                aria-describedby={`${r.testId}-hint`}
                data-testid={r.testId}
                placeholder="off"
              />
              <span className="muted small" id={`${r.testId}-hint`}>
                {r.hint} (default {r.def})
              </span>
            </label>
          ))}
          <label>
            <span>Newer than</span>
            <input className="input" value={olderThan} placeholder="any age" onChange={(e) => edit(() => setOlderThan(e.target.value))} aria-label="Keep newer than" data-testid="prune-older-than" />
            <span className="muted small">also keep every backup younger than this (168h, 30d)</span>
          </label>
        </fieldset>
        {bad.map(([r, why]) => (
          <p key={r.key} className="error-text small">
            {r.label}: {why}.
          </p>
        ))}
        {badAge ? <p className="error-text small">Newer than: a duration like 168h or 30d.</p> : null}
        {none ? <p className="error-text small">Give at least one rule (an empty field is off).</p> : null}
        <div className="dialog-actions">
          <button type="submit" className="btn" disabled={req.loading || !valid} data-testid="prune-preview">
            Preview
          </button>
          <button type="button" className="btn btn-quiet" onClick={() => edit(() => (setRules(Object.fromEntries(RULES.map((r) => [r.key, r.def])) as Record<RuleKey, string>), setOlderThan('')))}>
            Reset to defaults
          </button>
        </div>
      </form>
      {result ? (
        <div data-testid="prune-result" data-dry-run={result.dry_run}>
          <p>
            {result.deleted.length === 0
              ? 'Nothing to prune.'
              : `${result.dry_run ? 'Would delete' : 'Deleted'} ${result.deleted.length} backup${result.deleted.length === 1 ? '' : 's'} (${formatBytes(result.bytes_freed)}); ${result.kept.length} kept.`}
          </p>
          <ul data-testid="prune-deleted">
            {deleted.map((b) => (
              <li key={b.file} className="mono" data-name={b.name}>
                {b.name} <span className="muted">({timeAgo(b.created_at)}, {formatBytes(b.size)})</span>
              </li>
            ))}
          </ul>
          {result.safety.length > 0 || deletedSafety.length > 0 ? (
            <div className="prune-safety" data-testid="prune-safety">
              <p className="small">
                <span className="tag tag-safety">Safety copies</span> taken by restores, kept apart from the rules
                {olderThan.trim() === '' ? ' (only an age removes them)' : ''}:
              </p>
              <ul>
                {result.kept
                  .filter((b) => safety.has(b.name))
                  .map((b) => (
                    <li key={b.file} className="mono small" data-name={b.name} data-action="keep">
                      {b.name} <span className="muted">kept ({timeAgo(b.created_at)})</span>
                    </li>
                  ))}
                {deletedSafety.map((b) => (
                  <li key={b.file} className="mono small" data-name={b.name} data-action="delete">
                    {b.name} <span className="muted">{result.dry_run ? 'would be deleted' : 'deleted'}: older than {olderThan.trim()}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {result.not_counted.length > 0 ? (
            <p className="muted small" data-testid="prune-not-counted">
              Kept but not counted (not clean): <span className="mono">{result.not_counted.join(', ')}</span>
            </p>
          ) : null}
          {result.protected ? (
            <p className="muted small" data-testid="prune-protected">
              Kept <span className="mono">{result.protected}</span>: the newest clean backup is never deleted.
            </p>
          ) : null}
          {result.notes.map((n) => (
            <p key={n} className="muted small">
              {n}
            </p>
          ))}
          <CliEquivalent cli={result.cli} />
          {result.dry_run && result.deleted.length > 0 ? (
            <div className="dialog-actions">
              <button type="button" className="btn btn-danger" onClick={() => void run(false)} disabled={req.loading} data-testid="prune-confirm">
                Delete {result.deleted.length} backup{result.deleted.length === 1 ? '' : 's'}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}
      {req.error ? <ErrorNotice error={req.error} onDismiss={() => clear('backups.prune')} /> : null}
    </Dialog>
  );
}
