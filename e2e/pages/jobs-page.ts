import type { Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** The Jobs panel: running jobs with Cancel, finished jobs with their result. */
export class JobsPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('jobs');
  }

  async open(): Promise<this> {
    await this.app.open('jobs');
    return this;
  }

  running(id?: string): Locator {
    return this.root.locator(id ? `[data-testid="job-running"][data-job-id="${id}"]` : '[data-testid="job-running"]');
  }

  finished(id?: string): Locator {
    return this.root.locator(id ? `[data-testid="job-finished"][data-job-id="${id}"]` : '[data-testid="job-finished"]');
  }

  cancelButton(id: string): Locator {
    return this.running(id).getByRole('button', { name: /^Cancel/ });
  }

  empty(): Locator {
    return this.root.getByTestId('jobs-empty');
  }
}
