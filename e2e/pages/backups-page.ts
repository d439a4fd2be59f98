import type { Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** Backups: the list, Back up now, the action panels, the restore wizard and prune. */
export class BackupsPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('backups');
  }

  async open(): Promise<this> {
    await this.app.open('backups');
    return this;
  }

  row(name: string): Locator {
    return this.root.locator(`tr[data-backup="${name}"]`);
  }

  rows(): Locator {
    return this.root.locator('tr[data-backup]');
  }

  backUpNow(): Locator {
    return this.root.getByTestId('backup-now');
  }

  /** The panel of the newest action of a kind (create, verify, rehearse). */
  action(kind: 'create' | 'verify' | 'rehearse' | 'schedule' | 'push' | 'pull'): Locator {
    return this.root.getByTestId(`backup-action-${kind}`).first();
  }

  rowButton(name: string, label: RegExp | string): Locator {
    return this.row(name).getByRole('button', { name: label });
  }

  wizard(): Locator {
    return this.root.getByTestId('restore-wizard');
  }

  prune(): Locator {
    return this.root.getByTestId('prune-panel');
  }

  /** The backup bucket panel, and one of its rows. */
  bucket(): Locator {
    return this.root.getByTestId('bucket-panel');
  }

  remoteRow(name: string): Locator {
    return this.bucket().locator(`tr[data-remote-backup="${name}"]`);
  }

  /** The nightly schedule form. */
  schedule(): Locator {
    return this.root.getByTestId('schedule-panel');
  }
}
