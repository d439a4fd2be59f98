// Before any spec: build what the specs drive when it is missing or older than its sources
// (the CLI that serves browser mode; the renderer, main and preload bundles), and say once why a
// project will be skipped.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { browserSkipReason, electronSkipReason, required } from './support/env.js';
import { ROOT } from './support/studio-process.js';

function newestMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (p: string): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      return;
    }
    if (st.isDirectory()) {
      if (path.basename(p) === 'node_modules' || p.endsWith('.test.ts')) return;
      for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const d of dirs) walk(path.join(ROOT, d));
  return newest;
}

function mtime(file: string): number {
  try {
    return fs.statSync(path.join(ROOT, file)).mtimeMs;
  } catch {
    return 0;
  }
}

/** Playwright's global setup. */
export default function globalSetup(): void {
  const browserSkip = browserSkipReason();
  if (browserSkip && required()) throw new Error(`FOXCTL_TEST_REQUIRE=all: ${browserSkip}`);
  if (browserSkip) process.stdout.write(`[e2e] browser project skipped: ${browserSkip}\n`);
  const electronSkip = electronSkipReason();
  if (electronSkip) process.stdout.write(`[e2e] electron project skipped: ${electronSkip}\n`);

  const engineSources = newestMtime(['src-main', 'src-preload']);
  if (mtime('out/cli/foxctl.mjs') < engineSources) {
    process.stdout.write('[e2e] building the CLI (out/cli)\n');
    execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'inherit' });
  }
  // The seeding script, bundled once: tsx would compile it again for every test.
  if (mtime('out/e2e/seed-home.mjs') < Math.max(engineSources, mtime('e2e/support/seed-home.ts'))) {
    buildSync({
      entryPoints: [path.join(ROOT, 'e2e/support/seed-home.ts')],
      outfile: path.join(ROOT, 'out/e2e/seed-home.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      packages: 'external',
      logLevel: 'warning',
    });
  }
  const appSources = Math.max(engineSources, newestMtime(['src-renderer', 'resources', 'electron.vite.config.ts']));
  if (Math.min(mtime('out/renderer/index.html'), mtime('out/preload/index.cjs'), mtime('out/main/index.js')) < appSources) {
    process.stdout.write('[e2e] building the app (electron-vite build -> out/main, out/preload, out/renderer)\n');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  }
  fs.mkdirSync(path.join(ROOT, 'e2e', 'artifacts'), { recursive: true });
}
