// Bundles the Node side (the `foxctl` CLI, which also serves browser mode) into out/cli.
// Dependencies stay external: they are installed next to it by npm. The bundle is split at the
// CLI's dynamic imports (one chunk per command and per backend, shared code in common chunks),
// so a command parses only what it runs.
import fs from 'node:fs';
import { build } from 'esbuild';

// Chunks of an earlier build would pile up: start from an empty folder.
fs.rmSync('out/cli', { recursive: true, force: true });
const result = await build({
  entryPoints: { foxctl: 'src-main/cli/index.ts' },
  outdir: 'out/cli',
  outExtension: { '.js': '.mjs' },
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: true,
  metafile: process.argv.includes('--metafile'),
  logLevel: 'warning',
});
if (result.metafile) fs.writeFileSync('out/cli-meta.json', JSON.stringify(result.metafile));
