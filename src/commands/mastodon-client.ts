import type { Config } from '../config.ts';
import { MastodonClient } from '../networks/mastodon/client.ts';
import { parseInstance } from '../networks/mastodon/instances.ts';

/**
 * The Mastodon client of this deployment. Always there: tag timelines, statuses and accounts are public
 * on most instances; MASTODON_TOKENS opens the instances that keep tag timelines from anonymous readers.
 * A campaign without Mastodon queries never calls it.
 */
export function mastodonClientFrom(config: Config): MastodonClient {
  const tokens = new Map(
    Object.entries(config.MASTODON_TOKENS ?? {}).map(([instance, token]) => [
      parseInstance(instance).baseUrl,
      token,
    ]),
  );
  return new MastodonClient({ tokens });
}
