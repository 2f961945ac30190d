import { benchWritePath } from './write-path.ts';

/**
 * `npm run bench`: figures printed as ratios against a baseline measured in the same run, never
 * asserted (these machines are noisy). Needs the same PostgreSQL as the tests.
 */
const size = Number(process.env.BENCH_POSTS ?? 50_000);

console.log(`write path, ${size.toLocaleString('en')} posts in pages of 100`);
const writePath = await benchWritePath(size);
console.table(writePath);
console.log('collection: backfill and two days of live polling of ogp16, tier limits on');
console.table(await (await import('./collection.ts')).benchCollection());
console.log('worker memory during a backfill');
console.table(
  await (await import('./worker-memory.ts')).benchWorkerMemory(
    Number(process.env.BENCH_BACKFILL_POSTS ?? 100_000),
  ),
);
console.table(await (await import('./simulator.ts')).benchSimulator());
console.table(await (await import('./dashboard.ts')).benchDashboard());
const rank = await (await import('./rank.ts')).benchRank();
const load = await (await import('./load.ts')).benchLoad();
console.table(load.rows);
// One line for scripts, last: the benches' own summaries (each against its baseline of this run).
console.log(JSON.stringify({ write_path: writePath, rank, load: load.summary }));
process.exit(0);
