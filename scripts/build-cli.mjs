// Bundles the Node side (the `foxctl` CLI, which also serves browser mode) into out/cli.
// Dependencies stay external: they are installed next to it by npm.
import { build } from 'esbuild';

await build({
  entryPoints: { foxctl: 'src-main/cli/index.ts' },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
