import type { Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** A file to drop: its name, content and type. */
export interface DropFile {
  name: string;
  content: string;
  type?: string;
}

/** The CAS view: drop zone, uploads, object list, detail, gc and verify panels. */
export class CasPage {
  readonly root: Locator;
  constructor(readonly app: AppPage) {
    this.root = app.view('cas');
  }

  async open(): Promise<this> {
    await this.app.open('cas');
    return this;
  }

  /** Drops files on the view with real drag events carrying a DataTransfer of File objects. */
  async drop(files: DropFile[]): Promise<void> {
    const dt = await this.app.page.evaluateHandle((list) => {
      // Runs in the page: the e2e tsconfig has no DOM types, so the globals are described here.
      type FileLike = object;
      const w = globalThis as unknown as {
        DataTransfer: new () => { items: { add(f: FileLike): unknown } };
        File: new (parts: string[], name: string, opts: { type: string }) => FileLike;
      };
      const transfer = new w.DataTransfer();
      for (const f of list) transfer.items.add(new w.File([f.content], f.name, { type: f.type ?? 'text/plain' }));
      return transfer;
    }, files);
    const zone = this.app.page.getByTestId('cas-drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer: dt });
    await zone.dispatchEvent('dragover', { dataTransfer: dt });
    await zone.dispatchEvent('drop', { dataTransfer: dt });
  }

  uploads(state?: string): Locator {
    return this.root.locator(state ? `[data-testid="cas-upload"][data-state="${state}"]` : '[data-testid="cas-upload"]');
  }

  upload(name: string): Locator {
    return this.root.locator(`[data-testid="cas-upload"][data-name="${name}"]`);
  }

  rows(): Locator {
    return this.root.getByTestId('cas-row');
  }

  row(digest: string): Locator {
    return this.root.locator(`[data-testid="cas-row"][data-digest="${digest}"]`);
  }

  detail(): Locator {
    return this.root.getByTestId('cas-detail');
  }

  gc(): Locator {
    return this.root.getByTestId('cas-gc');
  }

  verify(): Locator {
    return this.root.getByTestId('cas-verify');
  }
}
