import { benchLoad } from './load.ts';

/**
 * `npm run bench:load`: the leaderboard API and the event stream under load (tests/bench/load.ts),
 * the table for people, then one JSON line: p95 under load and idle (measured in the same run),
 * events lost, errors.
 */
const { rows, summary } = await benchLoad();
console.table(rows);
console.log(JSON.stringify(summary));
process.exit(0);
