/** The Mastodon stand-in: several instances in one process, built from the shared scenario. */
export {
  createMastodonSimulator,
  instancePath,
  type MastodonSimulator,
  type MastodonSimulatorOptions,
} from './app.ts';
export {
  DEFAULT_MASTODON_INSTANCES,
  DEFAULT_MASTODON_RATE_LIMIT,
  type MastodonInstanceSpec,
} from './instances.ts';
export {
  type MastodonSimulatorServerOptions,
  type RunningMastodonSimulator,
  startMastodonSimulator,
} from './server.ts';
export {
  type MastodonTruth,
  type MastodonTruthAccount,
  type MastodonTruthPost,
  type MastodonTruthQuery,
  mastodonTruth,
} from './truth.ts';
export { buildMastodonWorld, type MastoAccount, type MastodonWorld, type MastoStatus } from './world.ts';
