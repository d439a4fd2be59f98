import { expect, type Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** The Overview: stats, last backup, syncer, running jobs, stores by class, paths. */
export class OverviewPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('overview');
  }

  /** Opens the Overview and waits for its data. */
  async open(): Promise<this> {
    await this.app.open('overview');
    await expect(this.root.getByTestId('classes-table')).toBeVisible();
    return this;
  }

  /** The "stores with data" figure, e.g. "5 / 30". */
  storesStat(): Locator {
    return this.root.getByTestId('stat-stores').locator('.stat-value');
  }

  backupAge(): Locator {
    return this.root.getByTestId('backup-age');
  }

  missingCritical(): Locator {
    return this.root.getByTestId('missing-critical');
  }

  syncerState(): Locator {
    return this.root.getByTestId('syncer-state');
  }

  classRow(cls: string): Locator {
    return this.root.locator(`tr[data-class="${cls}"]`);
  }
}
