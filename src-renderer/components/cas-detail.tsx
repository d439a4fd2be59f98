import { useEffect, useRef, type ReactNode } from 'react';
import type { CasObject } from '../../src-preload/contract';
import { exactTime, formatBytes } from '../format';
import { useStudio } from '../store';
import { IDLE } from '../store/requests';
import { ErrorNotice } from './error-notice';
import { Card } from './page';

function Preview({ digest }: { digest: string }): ReactNode {
  const preview = useStudio((s) => s.casPreview);
  const load = useStudio((s) => s.loadCasPreview);
  const state = useStudio((s) => s.requests['cas.preview'] ?? IDLE);
  useEffect(() => void load(digest), [digest, load]);
  if (state.error) return <ErrorNotice error={state.error} onRetry={() => void load(digest)} />;
  if (!preview || preview.digest !== digest) return <p className="muted small">Verifying and loading the preview…</p>;
  return (
    <div data-testid="cas-preview" data-mode={preview.mode}>
      {preview.mode === 'image' && preview.dataUrl ? <img className="cas-preview-image" src={preview.dataUrl} alt={`Preview of ${digest}`} /> : <pre className="cas-preview-text">{preview.text}</pre>}
      <p className="muted small">
        Verified against its digest · {preview.mode}
        {preview.truncated ? ` · first ${formatBytes((preview.text ?? '').length)} shown` : ''}
      </p>
    </div>
  );
}

/** An object's detail: metadata, pin/unpin, preview, and delete (refused while pinned, with the reason). */
export function CasDetail({ o, corrupt }: { o: CasObject; corrupt: boolean }): ReactNode {
  const setPin = useStudio((s) => s.setCasPin);
  const remove = useStudio((s) => s.removeCasObject);
  const close = useStudio((s) => s.selectCasObject);
  const pinState = useStudio((s) => s.requests['cas.pin'] ?? IDLE);
  const rmState = useStudio((s) => s.requests['cas.rm'] ?? IDLE);
  const clearError = useStudio((s) => s.clearError);
  const box = useRef<HTMLDivElement>(null);
  // The detail opens below the list: bring it into view when another object is chosen.
  useEffect(() => {
    // Braced: newer Chromium returns a promise from scrollIntoView, and an effect must not return one.
    void box.current?.scrollIntoView?.({ block: 'nearest' });
  }, [o.digest]);
  return (
    <Card
      className={`cas-detail${corrupt ? ' card-warn' : ''}`}
      title="Object"
      aside={
        <button type="button" className="btn btn-quiet" onClick={() => close(null)}>
          Close
        </button>
      }
    >
      <div ref={box} data-testid="cas-detail" data-digest={o.digest}>
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
          <dd>{o.tags.length ? o.tags.join(', ') : <span className="muted">none</span>}</dd>
          <dt>Created</dt>
          <dd>{exactTime(o.created_at)}</dd>
          <dt>Pinned</dt>
          <dd>{o.pinned ? `yes${o.pinned_at ? `, since ${exactTime(o.pinned_at)}` : ''}: gc keeps it and delete refuses it` : 'no'}</dd>
        </dl>
        {corrupt ? <p className="error-text">The last verify found these bytes do not hash to this digest.</p> : null}
        <div className="cas-detail-actions">
          <button type="button" className="btn" disabled={pinState.loading} onClick={() => void setPin(o.digest, !o.pinned)}>
            {o.pinned ? 'Unpin' : 'Pin'}
          </button>
          <button type="button" className="btn btn-danger" disabled={rmState.loading} onClick={() => void remove(o.digest)}>
            Delete
          </button>
        </div>
        {pinState.error ? <ErrorNotice error={pinState.error} onDismiss={() => clearError('cas.pin')} /> : null}
        {rmState.error ? <ErrorNotice error={rmState.error} onDismiss={() => clearError('cas.rm')} /> : null}
        <h3 className="cas-subhead">Preview</h3>
        <Preview digest={o.digest} />
      </div>
    </Card>
  );
}
