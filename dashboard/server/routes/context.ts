import type { DashboardDeps } from '../app.ts';
import type { LeaderboardCache } from '../leaderboard-cache.ts';
import type { LiveUpdates } from '../live-events.ts';
import type { OpsRedis } from '../ops-redis.ts';

/** What the routes receive: the dashboard's dependencies and what `createDashboard` built from them. */
export interface DashboardContext extends DashboardDeps {
  /** the workers' BullMQ prefix, resolved */
  prefix: string;
  live: LiveUpdates | undefined;
  heartbeatMs: number;
  leaderboards: LeaderboardCache;
  /** short commands on the workers' Redis (unset without `redisUrl`) */
  redis: OpsRedis | undefined;
}
