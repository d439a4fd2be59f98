import type { Command } from 'commander';
import { openEngine, type Engine } from '../engine/engine.js';
import { FoxError, toFoxError } from '../engine/errors.js';
import type { JobHandle } from '../engine/jobs/manager.js';
import { errorEnvelope, EXIT_CODES, okEnvelope } from './output.js';
import { showProgress } from './progress.js';

/** What an action of a command receives. */
export interface ActionContext {
  /** The engine, opened on first use with the global `--config`. */
  engine(): Engine;
  /** `--json` was given: print envelopes, not text. */
  json: boolean;
  /** Aborted by Ctrl-C (SIGINT) or SIGTERM: pass it to every engine call. */
  signal: AbortSignal;
  /** The command's options merged with the global ones. */
  opts: Record<string, unknown>;
  /** Waits for a job, drawing its progress on stderr when that is a terminal. */
  waitJob<T>(job: JobHandle<T>): Promise<T>;
  /** How this command would print `err` (envelope or `foxctl:` line), for a watchdog that must print it and stop the process. */
  lastWords(err: FoxError, afterMs: number): { fd: 1 | 2; text: string };
}

/** What an action returns: the data of its envelope and its human rendering. */
export interface ActionResult {
  data: unknown;
  /** Text for people (default: the data as indented JSON). */
  human?: string | (() => string);
  /** Extra fields of the envelope's meta (e.g. cas_digest). */
  meta?: Record<string, unknown>;
  /** Non-zero to fail after printing (e.g. verify found corruption). */
  exitCode?: number;
  /** Errors of a command that still prints what it could (`foxctl: ` lines on stderr, text mode). */
  errors?: string[];
  /** Printed as it is, with or without --json, for a command whose output is itself an envelope (cas artifactize). */
  raw?: string;
}

/** How a command treats shared concerns. */
export interface ActionOptions {
  /** The command shows config.yaml's warnings in its own output (config show): none on stderr. */
  configWarningsInOutput?: boolean;
  /** A cancel by Ctrl-C / SIGTERM exits 130 / 143 (the shell's convention) instead of CANCELED's status. */
  signalExitStatus?: boolean;
}

/**
 * Wraps a command's action: opens the engine lazily, wires Ctrl-C to an AbortSignal, prints one
 * envelope (`--json`) or text, turns errors into an error envelope / message and an exit status,
 * and closes the engine. Warnings of config.yaml (unknown keys) go to stderr once, when the engine opens.
 */
export function action<A extends unknown[]>(
  command: string,
  fn: (ctx: ActionContext, ...args: A) => Promise<ActionResult>,
  options: ActionOptions = {},
): (...args: unknown[]) => Promise<void> {
  return async (...raw: unknown[]) => {
    const cmd = raw[raw.length - 1] as Command;
    const args = raw.slice(0, -2) as A;
    const opts = cmd.optsWithGlobals() as Record<string, unknown>;
    const json = opts.json === true;
    const started = Date.now();
    const controller = new AbortController();
    let interrupts = 0;
    let caught: NodeJS.Signals | undefined;
    const onSignal = (sig: NodeJS.Signals): void => {
      interrupts++;
      caught ??= sig;
      if (interrupts > 1) process.exit(130);
      process.stderr.write(`\n${sig === 'SIGINT' ? 'interrupted' : 'terminated'}: canceling (press Ctrl-C again to quit at once)\n`);
      controller.abort(new FoxError('CANCELED', `${command} was canceled`));
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let engine: Engine | undefined;
    const ctx: ActionContext = {
      engine: () => {
        if (engine) return engine;
        engine = openEngine({ configFile: typeof opts.config === 'string' ? opts.config : undefined });
        // Once per command, on stderr only: --json output stays one clean envelope on stdout.
        if (!options.configWarningsInOutput) for (const w of engine.config.warnings) process.stderr.write(`foxctl: warning: ${w.message}\n`);
        return engine;
      },
      json,
      signal: controller.signal,
      opts,
      lastWords: (err, afterMs) =>
        json ? { fd: 1, text: `${JSON.stringify(errorEnvelope(command, err, started - afterMs))}\n` } : { fd: 2, text: `foxctl: ${err.code}: ${err.message}\n` },
      waitJob: async (job) => {
        const stop = showProgress((l) => ctx.engine().jobs.subscribe(l), () => job.id);
        try {
          return await job.done;
        } finally {
          stop();
        }
      },
    };
    try {
      const res = await fn(ctx, ...args);
      if (res.raw !== undefined) process.stdout.write(`${res.raw}\n`);
      else if (json) process.stdout.write(`${JSON.stringify(okEnvelope(command, res.data, started, res.meta))}\n`);
      else {
        const text = typeof res.human === 'function' ? res.human() : (res.human ?? JSON.stringify(res.data, null, 2));
        if (text.length > 0) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
        for (const e of res.errors ?? []) process.stderr.write(`foxctl: ${e}\n`);
      }
      if (res.exitCode) process.exitCode = res.exitCode;
    } catch (err) {
      const fe = toFoxError(err);
      if (json) process.stdout.write(`${JSON.stringify(errorEnvelope(command, fe, started))}\n`);
      else process.stderr.write(`foxctl: ${fe.code}: ${fe.message}\n`);
      process.exitCode = fe.code === 'CANCELED' && caught && options.signalExitStatus ? (caught === 'SIGINT' ? 130 : 143) : (EXIT_CODES[fe.code] ?? 1);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await engine?.close();
    }
  };
}

/** Parses a non-negative integer option, or throws INVALID_INPUT naming it. */
export function intOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new FoxError('INVALID_INPUT', `${name} must be a whole number (got "${String(value)}")`);
  return n;
}
