import type { Locator } from '@playwright/test';
import type { AppPage } from './app-page.js';

/** A file to drop: its name, content and type. */
export interface DropFile {
  name: string;
  content: string;
  type?: string;
}

/** A folder to drop: file name -> content, or sub-folder name -> its tree. */
export interface FolderTree {
  [name: string]: string | FolderTree;
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

  /**
   * Drops a folder tree on the view. Chromium's synthetic DataTransfer cannot carry directories
   * (webkitGetAsEntry returns null for files added by script), so the drop event is a real
   * DragEvent whose dataTransfer is replaced by one with webkitGetAsEntry-compatible entries:
   * directory entries with createReader/readEntries (in batches, then an empty batch) and file
   * entries whose file() yields real File objects. What this covers: the view's recursive walk,
   * batching and the upload of every file found; not Chromium's own entry implementation.
   */
  async dropFolder(name: string, tree: FolderTree): Promise<void> {
    await this.app.page.getByTestId('cas-drop-zone').evaluate(
      (zone, { name, tree }) => {
        type Tree = { [name: string]: string | Tree };
        const w = globalThis as unknown as {
          File: new (parts: string[], name: string, opts: { type: string }) => object;
          DataTransfer: new () => object;
          DragEvent: new (type: string, init: { bubbles: boolean; cancelable: boolean; dataTransfer: object }) => object;
        };
        const fileEntry = (n: string, content: string) => ({ isFile: true, isDirectory: false, name: n, file: (ok: (f: object) => void) => ok(new w.File([content], n, { type: 'text/plain' })) });
        const dirEntry = (n: string, t: Tree): object => {
          const children = Object.entries(t).map(([k, v]) => (typeof v === 'string' ? fileEntry(k, v) : dirEntry(k, v)));
          return {
            isFile: false,
            isDirectory: true,
            name: n,
            createReader: () => {
              // Like Chromium: entries in batches (of 2 here), then an empty batch.
              let at = 0;
              return { readEntries: (ok: (e: object[]) => void) => setTimeout(() => ok(children.slice(at, (at += 2))), 0) };
            },
          };
        };
        const dt = { types: ['Files'], files: [], items: [{ kind: 'file', type: '', webkitGetAsEntry: () => dirEntry(name, tree) }], dropEffect: 'copy' };
        for (const type of ['dragenter', 'dragover', 'drop']) {
          const ev = new w.DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: new w.DataTransfer() });
          Object.defineProperty(ev, 'dataTransfer', { value: dt });
          (zone as unknown as { dispatchEvent(e: object): boolean }).dispatchEvent(ev);
        }
      },
      { name, tree },
    );
  }

  /** Drops one file of `megabytes` MiB of zeros made in the page (nothing crosses from the test). */
  async dropBigFile(name: string, megabytes: number): Promise<void> {
    const dt = await this.app.page.evaluateHandle(
      ({ name, megabytes }) => {
        const w = globalThis as unknown as {
          DataTransfer: new () => { items: { add(f: object): unknown } };
          File: new (parts: object[], name: string, opts: { type: string }) => object;
        };
        const transfer = new w.DataTransfer();
        const chunk = new Uint8Array(1 << 20);
        for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31) & 0xff;
        transfer.items.add(new w.File(Array.from({ length: megabytes }, () => chunk), name, { type: 'application/octet-stream' }));
        return transfer;
      },
      { name, megabytes },
    );
    const zone = this.app.page.getByTestId('cas-drop-zone');
    await zone.dispatchEvent('dragenter', { dataTransfer: dt });
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

  /** The Verify panel's group of one kind of problem (missing_bytes, orphan_bytes, corrupt, ...). */
  verifyGroup(kind: string): Locator {
    return this.verify().locator(`[data-testid="cas-verify-group"][data-kind="${kind}"]`);
  }

  /** One problem the Verify panel lists. */
  verifyProblem(kind: string, digest: string): Locator {
    return this.verify().locator(`[data-testid="cas-verify-problem"][data-kind="${kind}"][data-digest="${digest}"]`);
  }

  /** The scrolling box of the virtualized object list. */
  list(): Locator {
    return this.root.getByTestId('cas-list');
  }
}
