/** The Mastodon stand-in: several instances in one process, built from the shared scenario. */
export { type RunningMastodonSimulator, startMastodonSimulator } from './server.ts';
export { type MastodonTruth, mastodonTruth } from './truth.ts';
