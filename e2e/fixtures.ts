// Fixtures: each test gets a temp FOXCTL_HOME seeded through the engine, and the app on it:
// a `foxctl studio` process driven by Debian's Chromium (project "browser"), or the Electron app
// (project "electron", only with FOXCTL_E2E_ELECTRON=1).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, test as base, type Browser, type ElectronApplication, type Page } from '@playwright/test';
import { AppPage } from './pages/app-page.js';
import { browserSkipReason, CHROMIUM, CHROMIUM_ARGS, electronBinary, electronSkipReason, required } from './support/env.js';
import { ROOT, startStudio, type StudioProcess } from './support/studio-process.js';

/** What a test's home holds (see support/seed-home.ts). */
export type SeedKind = 'empty' | 'sample' | 'big' | 'go';

interface TestFixtures {
  seed: SeedKind;
  /** config.yaml text added to the seeded home before the app starts (`{home}` becomes its path), or null. */
  configYaml: string | null;
  home: string;
  /** The browser-mode server of this test (null in the electron project). */
  studio: StudioProcess | null;
  app: AppPage;
}

interface WorkerFixtures {
  launchBrowser: () => Promise<Browser>;
}

/** The e2e test function with the studio fixtures. */
export const test = base.extend<TestFixtures, WorkerFixtures>({
  seed: ['sample', { option: true }],
  configYaml: [null, { option: true }],

  launchBrowser: [
    async ({ playwright }, use) => {
      let browser: Promise<Browser> | undefined;
      await use(() => (browser ??= playwright.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS })));
      if (browser) await (await browser).close();
    },
    { scope: 'worker' },
  ],

  home: async ({ seed, configYaml }, use, testInfo) => {
    // Skip before seeding: the electron project is off unless FOXCTL_E2E_ELECTRON=1.
    if (testInfo.project.name === 'electron') {
      const skip = electronSkipReason();
      testInfo.skip(skip !== null, skip ?? '');
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'foxctl-e2e-'));
    const home = path.join(root, '.foxctl');
    fs.mkdirSync(home);
    // An empty home is just a directory: the studio creates what it needs.
    if (seed !== 'empty') execFileSync(process.execPath, ['out/e2e/seed-home.mjs', home, seed], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (configYaml) fs.appendFileSync(path.join(home, 'config.yaml'), `\n${configYaml.replaceAll('{home}', home)}\n`);
    await use(home);
    fs.rmSync(root, { recursive: true, force: true });
  },

  studio: async ({ home }, use, testInfo) => {
    if (testInfo.project.name === 'electron') return use(null);
    const skip = browserSkipReason();
    if (skip) {
      if (required()) throw new Error(`FOXCTL_TEST_REQUIRE=all: ${skip}`);
      testInfo.skip(true, skip);
    }
    const studio = await startStudio(home);
    await use(studio);
    const code = await studio.stop();
    // The studio must shut down cleanly on SIGTERM (syncer stopped, engine closed).
    if (code !== 0) throw new Error(`foxctl studio exited with ${code} on SIGTERM; stderr:\n${studio.stderr()}`);
  },

  app: async ({ home, studio, launchBrowser }, use, testInfo) => {
    let page: Page;
    let electronApp: ElectronApplication | undefined;
    let close: () => Promise<void>;
    if (testInfo.project.name === 'electron') {
      const skip = electronSkipReason();
      testInfo.skip(skip !== null, skip ?? '');
      electronApp = await _electron.launch({
        executablePath: electronBinary()!,
        args: [path.join(ROOT, 'out', 'main', 'index.js')],
        cwd: ROOT,
        env: { ...process.env, FOXCTL_HOME: home } as Record<string, string>,
      });
      page = await electronApp.firstWindow();
      close = () => electronApp!.close();
    } else {
      const browser = await launchBrowser();
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, colorScheme: 'light' });
      page = await context.newPage();
      await page.goto(studio!.url);
      close = () => context.close();
    }
    const app = new AppPage(page, testInfo.project.name === 'electron' ? 'electron' : 'browser', home);
    await app.waitReady();
    await use(app);
    await close();
  },
});

export { expect } from '@playwright/test';
