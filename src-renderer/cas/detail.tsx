import { useEffect, useState, type ReactNode } from 'react';
import type { CasObject } from '../../src-preload/contract';
import { exactTime, formatBytes } from '../shared/format';
import { useStudio } from '../store';
import { IDLE } from '../shared/requests-slice';
import { CliEquivalent } from '../backups/backup-job';
import { ArtifactFacts, isArtifact } from './artifact';
import { casCliEquivalent } from './cli';
import { ErrorNotice } from '../shared/error-notice';

function Preview({ digest }: { digest: string }): ReactNode {
  const preview = useStudio((s) => s.casPreview);
  const load = useStudio((s) => s.loadCasPreview);
  const state = useStudio((s) => s.requests['cas.preview'] ?? IDLE);
  useEffect(() => void load(digest), [digest, load]);
  if (state.error) return <ErrorNotice error={state.error} onRetry={() => void load(digest)} />;
  if (!preview || preview.digest !== digest) return <p className="muted small">Verifying and loading the preview…</p>;
  return (
    <div data-testid="cas-preview" data-mode={preview.mode} data-content-kind={preview.content_kind ?? ''}>
      {preview.mode === 'image' && preview.dataUrl ? (
        <img className="cas-preview-image" src={preview.dataUrl} alt={`Preview of ${digest}`} />
      ) : preview.mode === 'pdf' ? (
        <PdfPreview facts={preview.text ?? 'PDF'} />
      ) : (
        <pre className="cas-preview-text">{preview.text}</pre>
      )}
      <p className="muted small">
        Verified against its digest · {preview.content_kind && preview.content_kind !== preview.kind ? `${preview.content_kind} by its bytes (stored as ${preview.kind})` : preview.mode}
        {preview.truncated ? ` · first ${formatBytes((preview.text ?? '').length)} shown` : ''}
      </p>
    </div>
  );
}

/**
 * A PDF's version and page count. The page's content security policy embeds no objects
 * (object-src 'none'), and a PDF viewer is one more parser to expose: Save as… opens it in the
 * user's PDF reader.
 */
function PdfPreview({ facts }: { facts: string }): ReactNode {
  return (
    <p className="cas-preview-pdf-facts" data-testid="cas-preview-pdf">
      <strong>{facts}</strong>
      <span className="muted small"> · Save as… opens it in your PDF reader.</span>
    </p>
  );
}

/** Adds tags (comma-separated) to the object; put merges them with its own. */
function AddTags({ digest }: { digest: string }): ReactNode {
  const add = useStudio((s) => s.addCasTags);
  const state = useStudio((s) => s.requests['cas.tag'] ?? IDLE);
  const [text, setText] = useState('');
  const tags = text.split(',').map((t) => t.trim()).filter(Boolean);
  return (
    <form
      className="cas-tag-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (tags.length > 0) void add(digest, tags).then((ok) => ok && setText(''));
      }}
    >
      <input className="input" value={text} onChange={(e) => setText(e.target.value)} placeholder="report, q1" aria-label="New tags" data-testid="cas-tag-input" />
      <button type="submit" className="btn" disabled={tags.length === 0 || state.loading}>
        Add tags
      </button>
    </form>
  );
}

/** An object's detail in a side drawer, as in Events: metadata, pin/unpin, preview, and delete (refused while pinned, with the reason). */
export function CasDetail({ o, corrupt }: { o: CasObject; corrupt: boolean }): ReactNode {
  const setPin = useStudio((s) => s.setCasPin);
  const remove = useStudio((s) => s.removeCasObject);
  const close = useStudio((s) => s.selectCasObject);
  const pinState = useStudio((s) => s.requests['cas.pin'] ?? IDLE);
  const rmState = useStudio((s) => s.requests['cas.rm'] ?? IDLE);
  const clearError = useStudio((s) => s.clearError);
  const save = useStudio((s) => s.saveCasObject);
  const saveState = useStudio((s) => s.requests['cas.save'] ?? IDLE);
  const tagState = useStudio((s) => s.requests['cas.tag'] ?? IDLE);
  const saved = useStudio((s) => (s.casSaved?.digest === o.digest ? s.casSaved : null));
  const lastCli = useStudio((s) => (s.casLastCli?.digest === o.digest ? s.casLastCli.cli : null));
  // Escape closes the drawer, as in Events (a dialog or menu open above it takes the key first).
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && !e.defaultPrevented) useStudio.getState().selectCasObject(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <aside className={`drawer cas-drawer${corrupt ? ' cas-drawer-corrupt' : ''}`} aria-label="Object detail" data-testid="cas-drawer">
      <header className="drawer-head">
        <h2>
          Object <span className="mono small muted">{o.digest.slice(0, 19)}…</span>
        </h2>
        <div className="drawer-actions">
          <button type="button" className="btn btn-quiet" aria-label="Close detail" onClick={() => close(null)}>
            ✕
          </button>
        </div>
      </header>
      <div className="drawer-body" data-testid="cas-detail" data-digest={o.digest}>
        <dl className="cas-facts">
          <dt>Digest</dt>
          <dd>
            <code className="mono">{o.digest}</code>
          </dd>
          <dt>Size</dt>
          <dd>{formatBytes(o.size_bytes)}</dd>
          <dt>Kind</dt>
          <dd>{o.kind}</dd>
          <dt>Tags</dt>
          <dd>
            <span data-testid="cas-detail-tags">{o.tags.length ? o.tags.map((t) => <span key={t} className="tag">{t}</span>) : <span className="muted">none</span>}</span>
            <AddTags digest={o.digest} />
          </dd>
          <dt>Created</dt>
          <dd>{exactTime(o.created_at)}</dd>
          <dt>Pinned</dt>
          <dd>{o.pinned ? `yes${o.pinned_at ? `, since ${exactTime(o.pinned_at)}` : ''}: gc keeps it and delete refuses it` : 'no'}</dd>
        </dl>
        {isArtifact(o) ? <ArtifactFacts o={o} /> : null}
        {corrupt ? <p className="error-text">The last verify found these bytes do not hash to this digest.</p> : null}
        <div className="cas-detail-actions">
          <button type="button" className="btn" disabled={pinState.loading} onClick={() => void setPin(o.digest, !o.pinned)}>
            {o.pinned ? 'Unpin' : 'Pin'}
          </button>
          <button type="button" className="btn" disabled={saveState.loading} onClick={() => void save(o)} data-testid="cas-save-as">
            {saveState.loading ? 'Verifying…' : 'Save as…'}
          </button>
          <button type="button" className="btn btn-danger" disabled={rmState.loading} onClick={() => void remove(o.digest)}>
            Delete
          </button>
        </div>
        {saved ? (
          <p className="good-text small" data-testid="cas-saved">
            {saved.download ? 'Verified against its digest; the download has started (it is re-hashed on the way and stops if a byte differs).' : `Verified and saved to ${saved.path ?? ''}.`}
          </p>
        ) : null}
        {saveState.error ? <ErrorNotice error={saveState.error} onDismiss={() => clearError('cas.save')} /> : null}
        {tagState.error ? <ErrorNotice error={tagState.error} onDismiss={() => clearError('cas.tag')} /> : null}
        {pinState.error ? <ErrorNotice error={pinState.error} onDismiss={() => clearError('cas.pin')} /> : null}
        {rmState.error ? <ErrorNotice error={rmState.error} onDismiss={() => clearError('cas.rm')} /> : null}
        <CliEquivalent cli={lastCli ?? [casCliEquivalent({ action: 'head', digest: o.digest }), casCliEquivalent({ action: 'save', digest: o.digest, file: 'FILE' })].join('\n')} />
        <h3 className="cas-subhead">Preview</h3>
        <Preview digest={o.digest} />
      </div>
    </aside>
  );
}
