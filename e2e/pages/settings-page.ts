import path from 'node:path';
import { expect, type Locator } from '@playwright/test';
import { ARTIFACTS, publishScreenshot } from '../support/env.js';
import type { AppPage } from './app-page.js';

/** The forms of the Settings view. */
export type SettingsFormId = 's3' | 'turso' | 'postgres';

/** The Settings view: the paths table, the secret store notice, the CAS backend and the three forms. */
export class SettingsPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('settings');
  }

  async open(): Promise<this> {
    await this.app.open('settings');
    await expect(this.root.getByTestId('s3-form')).toBeVisible();
    return this;
  }

  form(id: SettingsFormId): Locator {
    return this.root.getByTestId(`${id}-form`);
  }

  /** A field of a form by its test id (e.g. `s3-bucket`): its input. */
  input(testId: string): Locator {
    return this.root.getByTestId(testId).locator('input');
  }

  async fill(values: Record<string, string>): Promise<void> {
    for (const [testId, value] of Object.entries(values)) await this.input(testId).fill(value);
  }

  async check(form: SettingsFormId, label: string, on = true): Promise<void> {
    await this.form(form).getByLabel(label, { exact: true }).setChecked(on);
  }

  async testConnection(form: SettingsFormId): Promise<Locator> {
    await this.root.getByTestId(`${form}-test`).click();
    const probe = this.root.getByTestId(`${form}-probe`);
    await expect(probe).toBeVisible({ timeout: 20_000 });
    return probe;
  }

  async save(form: SettingsFormId): Promise<void> {
    await this.root.getByTestId(`${form}-save`).click();
    await expect(this.root.getByTestId(`${form}-save`)).toHaveText('Save');
  }

  consent(form: SettingsFormId): Locator {
    return this.root.getByTestId(`${form}-consent`).locator('input[type="checkbox"]');
  }

  /** The card around a form (title included), for screenshots. */
  card(id: SettingsFormId): Locator {
    return this.root.locator('section.card').filter({ has: this.app.page.getByTestId(`${id}-form`) });
  }

  /** The "Store drivers" card. */
  storeDrivers(): Locator {
    return this.root.locator('section.card').filter({ has: this.app.page.getByTestId('store-drivers') });
  }

  /** A store's row of the "Store drivers" card. */
  driverRow(store: string): Locator {
    return this.root.getByTestId(`driver-row-${store}`);
  }

  /** Picks a store's driver ('' = default) and saves it. */
  async setDriver(store: string, driver: 'sqlite' | 'turso' | 'postgres' | ''): Promise<void> {
    const row = this.driverRow(store);
    await row.getByLabel(`Driver of ${store}`, { exact: true }).selectOption(driver);
    await row.getByRole('button', { name: 'Save' }).click();
  }

  row(key: string): Locator {
    return this.root.locator(`tr[data-key="${key}"]`);
  }

  /** Saves a light screenshot of the view (or one part of it) to e2e/artifacts (and docs/screenshots with FOXCTL_DOCS_SCREENSHOTS=1). */
  async shot(name: string, part?: Locator): Promise<void> {
    const file = path.join(ARTIFACTS, `${this.app.mode}-${name}.png`);
    await this.app.page.emulateMedia({ colorScheme: 'light' });
    if (part) {
      await part.screenshot({ path: file, animations: 'disabled' });
    } else {
      // The view scrolls inside the shell: a tall window shows all of it at once.
      const size = this.app.page.viewportSize();
      await this.app.page.setViewportSize({ width: size?.width ?? 1280, height: 2300 });
      await this.root.getByRole('heading', { level: 1 }).scrollIntoViewIfNeeded();
      await this.app.page.screenshot({ path: file, animations: 'disabled' });
      if (size) await this.app.page.setViewportSize(size);
    }
    if (this.app.mode === 'browser') publishScreenshot(file, name);
  }
}
