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

  /** A button always shown in a row (Verify, Restore…). */
  rowButton(name: string, label: RegExp | string): Locator {
    return this.row(name).getByRole('button', { name: label });
  }

  /** A row's "More actions" menu button. */
  rowMenu(name: string): Locator {
    return this.row(name).getByTestId('row-menu');
  }

  /** Opens a row's menu with the mouse and chooses an item (Test restore, Browse, Push to the bucket, Details, Delete…). */
  async rowMenuItem(name: string, label: string): Promise<void> {
    await this.rowMenu(name).click();
    await this.row(name).getByRole('menuitem', { name: label }).click();
  }

  /** The view's live region (role=status, aria-live=polite): how the last action started or ended. */
  live(): Locator {
    return this.root.getByTestId('live-status');
  }

  /** The open dialog of the view (role=dialog, modal). */
  dialog(): Locator {
    return this.root.getByRole('dialog');
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
