import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { createStudio } from '../../api/studio.js';
import { parsePort, startWebServer } from '../../web/server.js';
import { action } from '../context.js';
import { okEnvelope } from '../output.js';

/** Opens a URL in the user's browser; failures are reported, never fatal (the URL is printed). */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => process.stderr.write(`foxctl: could not open a browser (${cmd}); open the URL above yourself\n`));
    child.unref();
  } catch {
    process.stderr.write(`foxctl: could not open a browser (${cmd}); open the URL above yourself\n`);
  }
}

/** `foxctl studio`: Storage Studio in the browser, served on loopback until Ctrl-C. */
export function registerStudioCommands(program: Command): void {
  program
    .command('studio')
    .description('serve Storage Studio in your browser on 127.0.0.1 (a new access token each start) until Ctrl-C')
    .option('--port <n>', 'port to listen on (0 picks a free one)', '0')
    .option('--host <addr>', 'loopback address to listen on: 127.0.0.1, ::1 or localhost', '127.0.0.1')
    .option('--no-open', 'do not open a browser')
    .action(
      action('foxctl.studio', async (ctx) => {
        const started = Date.now();
        const port = parsePort(ctx.opts.port);
        const engine = ctx.engine();
        const studio = createStudio(engine, { mode: 'browser', version: process.env.npm_package_version ?? '0.1.0' });
        let server;
        try {
          server = await startWebServer(studio, { host: String(ctx.opts.host), port });
        } catch (err) {
          await studio.stop();
          throw err;
        }
        const line = ctx.json
          ? JSON.stringify(okEnvelope('foxctl.studio', { url: server.url, port: server.port, state: 'listening' }, started))
          : `Storage Studio is running at ${server.url}\n(the token after # is this start's key: keep it to yourself; Ctrl-C stops the studio)`;
        process.stdout.write(`${line}\n`);
        if (ctx.opts.open !== false) openBrowser(server.url);
        await new Promise<void>((resolve) => {
          if (ctx.signal.aborted) resolve();
          else ctx.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await server.close();
        await studio.stop();
        return { data: { url: server.url, state: 'stopped' }, human: 'Storage Studio stopped.' };
      }),
    );
}
