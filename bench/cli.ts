// CLI startup benchmark: median wall and CPU time of everyday commands of the built CLI
// (out/cli, rebuilt first) against `node -e 0` and the `sqlite3` CLI, measured in the same run,
// round-robin so a busy neighbour slows every command alike. CPU is the child's own user +
// system time (getrusage of children, taken by a small python3 runner).
// FOXCTL_BENCH_CLI_RUNS=N sets the runs per command (default 15).
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { report, scratch } from './lib.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = Number(process.env.FOXCTL_BENCH_CLI_RUNS ?? 15);
const cli = path.join(root, 'out', 'cli', 'foxctl.mjs');

// Runs each command of argv[1] (a JSON list of argv lists) once per round, `runs` rounds, and
// prints per command the wall and CPU seconds of each run, measured around the child alone.
const RUNNER = String.raw`
import json, os, resource, subprocess, sys, time
cmds = json.loads(sys.argv[1]); runs = int(sys.argv[2]); out = [[] for _ in cmds]
for _ in range(runs):
    for i, argv in enumerate(cmds):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.monotonic()
        p = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        t1 = time.monotonic(); r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0: sys.exit('%s failed (%d): %s' % (' '.join(argv), p.returncode, p.stderr.decode()[:500]))
        out[i].append([t1 - t0, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)])
print(json.dumps(out))
`;

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

execFileSync(process.execPath, [path.join(root, 'scripts', 'build-cli.mjs')], { cwd: root, stdio: 'inherit' });
const s = scratch('cli');
try {
  const home = path.join(s.dir, '.foxctl');
  const env = { ...process.env, HOME: s.dir, FOXCTL_HOME: home };
  const foxctl = (...args: string[]): string => execFileSync(process.execPath, [cli, ...args], { env, encoding: 'utf8' });
  foxctl('init');
  foxctl('dev', 'seed-events', '--count', '2000', '--bulk');
  const digest = (JSON.parse(execFileSync(process.execPath, [cli, '--json', 'cas', 'put', '-'], { env, input: 'hello from the bench\n', encoding: 'utf8' })) as { data: { digest: string } }).data.digest;
  const memoryDb = foxctl('stores', 'path', 'MEMORY').trim();
  const sql = 'select count(*) from named_memory';
  const node = process.execPath;
  const commands: { name: string; argv: string[]; goal?: number }[] = [
    { name: 'node -e 0', argv: [node, '-e', '0'] },
    { name: 'sqlite3', argv: ['sqlite3', memoryDb, sql] },
    { name: 'foxctl --version', argv: [node, cli, '--version'], goal: 2.5 },
    { name: 'foxctl stores list', argv: [node, cli, 'stores', 'list'], goal: 2.5 },
    { name: 'foxctl cas head', argv: [node, cli, 'cas', 'head', digest], goal: 2.5 },
    { name: 'foxctl db query', argv: [node, cli, 'db', 'query', 'MEMORY', sql], goal: 3 },
    { name: 'foxctl events query --limit 10', argv: [node, cli, 'events', 'query', '--limit', '10'], goal: 2.5 },
    { name: 'foxctl config show', argv: [node, cli, 'config', 'show'], goal: 2.5 },
  ];
  process.stdout.write(`${RUNS} runs of each, round-robin; home ${home}\n`);
  const r = spawnSync('python3', ['-c', RUNNER, JSON.stringify(commands.map((c) => c.argv)), String(RUNS)], { env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`the runner failed: ${r.stderr}`);
  const samples = JSON.parse(r.stdout) as [number, number][][];
  const wall = samples.map((runs) => median(runs.map((x) => x[0])));
  const cpu = samples.map((runs) => median(runs.map((x) => x[1])));
  for (const [i, c] of commands.entries()) {
    if (i === 0) continue;
    report(`${c.name} (wall s)`, wall[i]!, wall[0]!, 's', { anchorName: 'node -e 0', better: 'lower', ...(c.goal ? { goal: c.goal } : {}) });
    report(`${c.name} (CPU s)`, cpu[i]!, cpu[0]!, 's', { anchorName: 'node -e 0', better: 'lower' });
  }
  const q = commands.findIndex((c) => c.name === 'foxctl db query');
  report('foxctl db query vs sqlite3 (wall s)', wall[q]!, wall[1]!, 's', { anchorName: 'sqlite3', better: 'lower' });
} finally {
  s.cleanup();
}
