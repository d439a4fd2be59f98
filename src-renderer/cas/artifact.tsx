import { useEffect, type ReactNode } from 'react';
import { CAS_ARTIFACT_TAG, type CasObject } from '../../src-preload/contract';
import { exactTime, formatBytes } from '../shared/format';
import { useStudio } from '../store';

/** Whether an object is an output the Go runtime (or cas artifactize) moved into the CAS. */
export function isArtifact(o: Pick<CasObject, 'tags'>): boolean {
  return o.tags.includes(CAS_ARTIFACT_TAG);
}

/** The Kind and Tags cells of an artifact's row as one: a badge, its summary sentence (loaded once per digest), its other tags. */
export function ArtifactKindCell({ o }: { o: CasObject }): ReactNode {
  const a = useStudio((s) => s.casArtifacts[o.digest]);
  const load = useStudio((s) => s.loadCasArtifact);
  useEffect(() => void load(o.digest), [o.digest, load]);
  const text = a?.state === 'ok' ? a.info.summary : a?.state === 'error' ? o.kind : 'reading summary…';
  return (
    <span role="cell" className="cas-kind cas-artifact-cell" title={a?.state === 'ok' ? `${a.info.command}: ${a.info.summary}` : o.kind} data-testid="cas-artifact-cell">
      <span className="tag cas-artifact-tag">artifact</span> <span data-testid="cas-artifact-summary">{text}</span>
      {o.tags
        .filter((t) => t !== CAS_ARTIFACT_TAG)
        .map((t) => (
          <span key={t} className="tag">
            {t}
          </span>
        ))}
    </span>
  );
}

/** An artifact's facts in the object detail: what command wrote it, its status and summary. */
export function ArtifactFacts({ o }: { o: CasObject }): ReactNode {
  const a = useStudio((s) => s.casArtifacts[o.digest]);
  const load = useStudio((s) => s.loadCasArtifact);
  useEffect(() => void load(o.digest), [o.digest, load]);
  return (
    <section className="cas-artifact" data-testid="cas-artifact-detail" aria-label="Artifact">
      <h3 className="cas-subhead">Artifact</h3>
      {a?.state === 'ok' ? (
        <>
          <p className="cas-artifact-summary">{a.info.summary}</p>
          <p className="muted small">
            The whole output of <code className="mono">{a.info.command}</code> ({a.info.status}, {formatBytes(a.info.size_bytes)}
            {a.info.ts ? `, ${exactTime(a.info.ts)}` : ''}): it was over the inline limit (inline_output_kb), so its envelope carries this summary and the digest
            instead.
          </p>
        </>
      ) : a?.state === 'error' ? (
        <p className="muted small">Its summary cannot be read: {a.message}</p>
      ) : (
        <p className="muted small">Verifying and reading its summary…</p>
      )}
    </section>
  );
}
