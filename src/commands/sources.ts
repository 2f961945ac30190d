import { blueskySource, type Source } from '../collect/source.ts';
import type { Config } from '../config.ts';
import { BlueskyClient } from '../networks/bluesky/client.ts';

/**
 * The networks other than X that this deployment collects: Bluesky when its session is configured
 * (BLUESKY_IDENTIFIER + BLUESKY_APP_PASSWORD; search needs a session). The app password is handed
 * to the client only, never logged.
 */
export function sourcesFrom(config: Config): Source[] {
  if (!config.BLUESKY_IDENTIFIER || !config.BLUESKY_APP_PASSWORD) return [];
  const client = new BlueskyClient({
    identifier: config.BLUESKY_IDENTIFIER,
    appPassword: config.BLUESKY_APP_PASSWORD,
    service: config.BLUESKY_SERVICE,
    publicApi: config.BLUESKY_PUBLIC_API,
  });
  return [blueskySource(client)];
}
