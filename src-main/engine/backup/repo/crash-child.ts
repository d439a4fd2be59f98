// Child process of crash.test.ts: writes snapshots (or prunes) of a repository, printing each
// step on stdout (a pipe: written synchronously) so the parent can SIGKILL it at that step.
// Usage: node --import tsx crash-child.ts backup <repo> <file> <name>
//        node --import tsx crash-child.ts prune <repo> <name,name...> <phase to stop at | ->
import { openRepo } from './layout.js';
import { pruneRepo, type PrunePhase } from './prune-repo.js';
import { writeSnapshotOf } from './write-snapshot.js';

/** Small packs, so a few MB of input make many packs and a kill lands between two of them. */
const SIZES = { frame: 64 * 1024, pack: 256 * 1024, concurrency: 2 };

async function main(): Promise<void> {
  const [op, root, arg, last] = process.argv.slice(2);
  const repo = await openRepo(root!, { create: true });
  if (op === 'backup') {
    let bytes = 0;
    await writeSnapshotOf(repo, [{ read: arg!, path: 'observability/big.ndjson', component: 'observability', store: null, kind: 'file' }], { name: last!, tool: { name: 'crash-child', version: '0' }, home: '/h', status: 'ok', problems: [], components: ['observability'] }, {
      packSizes: SIZES,
      onBytes: (n) => process.stdout.write(`read ${(bytes += n)}\n`),
    });
    process.stdout.write('done\n');
    return;
  }
  await pruneRepo(repo.paths, arg!.split(','), {
    packSizes: SIZES,
    onPhase: async (p: PrunePhase) => {
      process.stdout.write(`phase ${p}\n`);
      if (p === last) await new Promise(() => undefined); // Wait here for the SIGKILL.
    },
  });
  process.stdout.write('done\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((err: unknown) => {
    process.stderr.write(`crash-child: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
