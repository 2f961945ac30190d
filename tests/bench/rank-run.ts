/**
 * `npm run bench:rank`: the leaderboard reads at scale (tests/bench/rank.ts) on BENCH_RANK_POSTS
 * posts (default 1,000,000, the figure issue 17 measures at), tables for people, then one JSON line.
 */
process.env.BENCH_RANK_POSTS ??= '1000000';
const { benchRank } = await import('./rank.ts');
console.log(JSON.stringify(await benchRank()));
process.exit(0);
