import type { Command } from 'commander';
import { FoxError } from '../../engine/errors.js';
import { action, intOption } from '../context.js';
import { formatBytes } from '../output.js';

/** Outputs larger than this are refused: artifactize holds one output in memory, as Go does. */
const MAX_INPUT = 256 << 20;

/** Reads stdin whole (bounded), or refuses when it is a terminal. */
async function readStdin(signal: AbortSignal): Promise<Buffer> {
  if (process.stdin.isTTY) throw new FoxError('INVALID_INPUT', 'nothing to artifactize: pipe a JSON output on stdin (foxctl cas artifactize < output.json)');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    if (signal.aborted) throw signal.reason;
    size += chunk.length;
    if (size > MAX_INPUT) throw new FoxError('INVALID_INPUT', `the output on stdin is larger than ${formatBytes(MAX_INPUT)}: store it with foxctl cas put --kind application/json`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * `foxctl cas artifactize`: what the Go runtime does to a skill's output over inline_output_kb,
 * for any JSON output piped in. It prints the output itself when small, else the artifact
 * envelope (and, like Go, a line on stderr saying where the whole output went).
 */
export function registerCasArtifactize(cas: Command): void {
  cas
    .command('artifactize')
    .description('print a JSON output (stdin) as it is when small, else store it whole in the CAS and print the envelope pointing at it (summary, artifact, meta.cas_digest)')
    .option('--command <name>', 'the command named in the envelope when the input has none (a bare JSON value)')
    .option('--inline-kb <n>', 'the limit in KiB (default inline_output_kb, $FOXCTL_INLINE_OUTPUT_KB: 32)')
    .action(
      action('foxctl.cas.artifactize', async (ctx) => {
        const inlineKb = intOption(ctx.opts.inlineKb, '--inline-kb');
        if (inlineKb === 0) throw new FoxError('INVALID_INPUT', '--inline-kb must be at least 1');
        const input = await readStdin(ctx.signal);
        const cas = ctx.engine().cas;
        const r = await cas.artifactize(input, { command: ctx.opts.command as string | undefined, inlineKb, signal: ctx.signal });
        if (!r.inline) process.stderr.write(`foxctl: output ${r.size} bytes exceeded ${inlineKb ?? cas.inlineKb}KB limit; stored in CAS ${r.digest}\n`);
        return { data: null, raw: r.output };
      }),
    );
}
