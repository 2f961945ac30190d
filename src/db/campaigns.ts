// The campaign's reads that the collection (src/collect/, workers/processors.ts, src/commands/collect.ts,
// their tests) and src/export/ import from here, until they import src/db/campaign-repository.ts, the
// campaign's one module: those files are being changed elsewhere at the same time.
export { activeQueries, findCampaign, findQuery, watchlist } from './campaign-repository.ts';
