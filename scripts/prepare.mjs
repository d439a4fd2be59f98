// Builds the CLI and the app after `npm ci`, so `npx foxctl` and `npm start` work at once.
// Skipped where the sources are absent (an install of the package elsewhere).
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';

if (existsSync(new URL('../src-main', import.meta.url)) && existsSync(new URL('../electron.vite.config.ts', import.meta.url))) {
  execSync('npm run build', { stdio: 'inherit' });
}
