import type { ReactNode } from 'react';
import { Command, EmptyState } from './empty-state';

/** Browser mode opened without (or with a stale) token: say how to get in. */
export function NoTokenView(): ReactNode {
  return (
    <main className="main main-solo" id="main">
      <EmptyState icon="settings" title="This page needs its access link" testId="no-token">
        <p>
          Storage Studio in the browser only answers the link printed when it starts, which carries a key after <code>#token=</code>. The studio may also have been restarted,
          which makes a new key.
        </p>
        <p>
          Start it and open the link it prints: <Command>foxctl studio</Command>
        </p>
      </EmptyState>
    </main>
  );
}
