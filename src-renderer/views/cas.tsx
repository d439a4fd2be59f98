import type { ReactNode } from 'react';
import { AreaPlaceholder } from './area-empty';

/** CAS: content-addressed objects; drop zone, object list and gc arrive with the CAS GUI. */
export function CasView(): ReactNode {
  return (
    <AreaPlaceholder id="cas" title="CAS" subtitle="Content-addressable store: files kept by their SHA-256." feature="cas" emptyTitle="No objects in the CAS yet" command="foxctl cas put FILE">
      <p>Files you drop here are stored once by their SHA-256 digest. Each object will be listed with its size, kind, tags and pin, with preview, verify and garbage collection.</p>
    </AreaPlaceholder>
  );
}
