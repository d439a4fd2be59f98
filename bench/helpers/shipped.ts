// Loads engine code as it ships: bundled by esbuild with the options of scripts/build-cli.mjs
// (the CLI, which also serves browser mode; the app's main process is bundled the same way by
// electron-vite), not through tsx. tsx transforms with keepNames, which wraps every function
// made at run time in a __name() call; the bundles users run have none of that, and on a hot
// path of many small closures (a table browser page) it cost several microseconds a call.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Bundles `entry` (a path from the project root) into out/bench/ and imports it. The bundle
 * sits inside the project so that its external packages resolve from node_modules.
 */
export async function importShipped<T>(entry: string): Promise<T> {
  const outfile = path.resolve('out', 'bench', `${path.basename(entry, path.extname(entry))}.mjs`);
  await build({
    entryPoints: [path.resolve(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    logLevel: 'warning',
  });
  return (await import(pathToFileURL(outfile).href)) as T;
}
