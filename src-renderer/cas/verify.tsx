import { useMemo, type ReactNode } from 'react';
import { casVerifyResultSchema, type CAS_VERIFY_PROBLEMS, type CasVerifyResult, type Job } from '../../src-preload/contract';
import { formatBytes, formatCount } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { casCliEquivalent } from './cli';
import { JobLine } from './maintenance';
import { ErrorNotice } from '../shared/error-notice';
import { Card } from '../shared/page';

type Kind = (typeof CAS_VERIFY_PROBLEMS)[number];
type Problem = CasVerifyResult['problems'][number];

/** How each kind of problem is named in the panel, worst first. */
const KINDS: Record<Kind, string> = {
  corrupt: 'Corrupt: the bytes do not hash to their name',
  missing_bytes: 'Bytes gone: metadata or a pin remains',
  orphan_bytes: 'Bytes without metadata',
  orphan_pin: 'Pins without an object',
  metadata: 'Metadata unreadable or wrong',
  unreadable: 'Could not be read',
};
const ORDER: Kind[] = ['corrupt', 'missing_bytes', 'orphan_bytes', 'orphan_pin', 'metadata', 'unreadable'];

/** Problems listed per kind; `foxctl cas verify` lists them all. */
const MAX_LISTED = 200;

/** The result of a finished verify job, or null (still running, failed, or not a verify result). */
export function verifyResultOf(job: Job | undefined): CasVerifyResult | null {
  if (job?.state !== 'ok') return null;
  const r = casVerifyResultSchema.safeParse(job.result);
  return r.success ? r.data : null;
}

/** One kind of problem: what it means, what to do, and each digest with what was found. */
function ProblemGroup({ kind, problems, listed }: { kind: Kind; problems: Problem[]; listed: Set<string> }): ReactNode {
  const select = useStudio((s) => s.selectCasObject);
  // Orphan bytes that verify and those that could not be read have different advice: show each once.
  const hints = [...new Set(problems.map((p) => p.hint))];
  return (
    <section className="cas-verify-group" data-testid="cas-verify-group" data-kind={kind} aria-label={KINDS[kind]}>
      <h3>
        {KINDS[kind]} <span className="tag">{formatCount(problems.length)}</span>
      </h3>
      {hints.map((h) => (
        <p key={h} className="cas-verify-hint small">
          <strong>What to do:</strong> {h}
        </p>
      ))}
      <ul className="cas-gc-list">
        {problems.slice(0, MAX_LISTED).map((p) => (
          <li key={p.digest} data-testid="cas-verify-problem" data-kind={kind} data-digest={p.digest}>
            {listed.has(p.digest) ? (
              <button type="button" className="link mono cas-break cas-verify-digest" title="Show this object" onClick={() => select(p.digest)}>
                {p.digest}
              </button>
            ) : (
              <code className="mono cas-break cas-verify-digest">{p.digest}</code>
            )}
            {p.size_bytes !== undefined ? <span className="muted small"> · {formatBytes(p.size_bytes)}</span> : null}
            <div className="muted small cas-break">{p.message}</div>
          </li>
        ))}
      </ul>
      {problems.length > MAX_LISTED ? <p className="muted small">and {formatCount(problems.length - MAX_LISTED)} more: foxctl cas verify lists them all.</p> : null}
    </section>
  );
}

/** Verify all (scrub): re-hashes every object and cross-checks bytes, metadata and pins as a job; lists every problem by kind. */
export function CasVerifyPanel(): ReactNode {
  const verify = useStudio((s) => s.casVerifyAll);
  const jobId = useStudio((s) => s.casVerifyJob);
  const job = useStudio((s) => (jobId ? s.jobs[jobId] : undefined));
  const state = useStudio((s) => s.requests['cas.verify'] ?? IDLE);
  const objects = useStudio((s) => s.casObjects);
  const result = useMemo(() => verifyResultOf(job), [job]);
  const listed = useMemo(() => new Set((objects ?? []).map((o) => o.digest)), [objects]);
  const byKind = (k: Kind): Problem[] => (result ? result.problems.filter((p) => p.problem === k) : []);
  return (
    <Card title="Verify" className={result && !result.ok ? 'card-warn' : undefined}>
      <div data-testid="cas-verify">
        <p className="muted small">Re-hashes every object and checks that every metadata file and pin still has its bytes, so corruption and loss show up here rather than on restore.</p>
        <div className="cas-detail-actions">
          <button type="button" className="btn" disabled={state.loading || job?.state === 'running'} onClick={() => void verify()}>
            Verify all
          </button>
        </div>
        {state.error ? <ErrorNotice error={state.error} /> : null}
        {job ? <JobLine job={job} label="verify" /> : null}
        {result ? (
          result.ok ? (
            <p className="good-text" data-testid="cas-verify-ok">
              All {formatCount(result.objects_checked)} objects match their digests; no bytes, metadata or pins are missing.
            </p>
          ) : (
            <div data-testid="cas-verify-problems">
              <p className="error-text" data-testid="cas-verify-summary" role="status">
                {formatCount(result.problems.length)} {result.problems.length === 1 ? 'problem' : 'problems'} found; {formatCount(result.objects_checked)} objects checked ({formatBytes(result.bytes_checked)}).
              </p>
              {ORDER.filter((k) => result.counts[k] > 0).map((k) => (
                <ProblemGroup key={k} kind={k} problems={byKind(k)} listed={listed} />
              ))}
            </div>
          )
        ) : null}
        <CliEquivalent cli={casCliEquivalent({ action: 'verify' })} />
      </div>
    </Card>
  );
}
