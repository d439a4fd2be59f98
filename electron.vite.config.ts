// Builds the three parts of the desktop app: main (src-main/app -> out/main), the sandboxed
// preload (one CommonJS file, dependencies bundled in: a sandboxed preload cannot require them),
// and the renderer (src-renderer -> out/renderer, also served by browser mode).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';
import type { RollupLog } from 'rollup';

/** zod's sources carry `@__PURE__` comments Rollup cannot place; the warning is noise, not a defect. */
function onwarn(warning: RollupLog, warn: (w: RollupLog) => void): void {
  if (warning.code !== 'INVALID_ANNOTATION') warn(warning);
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // better-sqlite3 is native: it stays external and is loaded with the Electron-ABI binding.
      externalizeDeps: true,
      rollupOptions: { input: { index: resolve('src-main/app/index.ts') }, onwarn },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src-preload/index.ts') },
        external: ['electron'],
        onwarn,
        output: { format: 'cjs', entryFileNames: '[name].cjs', inlineDynamicImports: true },
      },
    },
  },
  renderer: {
    root: resolve('src-renderer'),
    publicDir: resolve('resources'),
    plugins: [react()],
    build: {
      outDir: resolve('out/renderer'),
      emptyOutDir: true,
      rollupOptions: { input: { index: resolve('src-renderer/index.html') }, onwarn },
    },
  },
});
