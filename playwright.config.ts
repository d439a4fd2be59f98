// End-to-end tests: the real renderer against a real engine on a temp FOXCTL_HOME, in Debian's
// Chromium through browser mode, and (with FOXCTL_E2E_ELECTRON=1) the same specs in Electron.
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './e2e/support/env.js';

export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.spec\.ts$/,
  globalSetup: './e2e/global-setup.ts',
  outputDir: 'test-results',
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: true,
  // Each test runs its own studio process: two at a time on this 2-core machine.
  workers: 2,
  retries: 0,
  reporter: process.env.CI ? [['list'], ['json', { outputFile: 'test-results/e2e.json' }]] : 'list',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 860 },
  },
  projects: [
    {
      name: 'browser',
      use: { browserName: 'chromium', launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } },
    },
    {
      name: 'electron',
      // The fixtures launch Electron themselves; without FOXCTL_E2E_ELECTRON=1 each test is skipped
      // with the reason (printed once by the global setup).
      use: { browserName: 'chromium' },
      metadata: { electron: true },
    },
  ],
});
