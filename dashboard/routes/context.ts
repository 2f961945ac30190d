import type { DashboardDeps } from '../app.ts';
import type { LiveUpdates } from '../live.ts';

/** What the routes receive: the dashboard's dependencies and what `createDashboard` built from them. */
export interface DashboardContext extends DashboardDeps {
  live: LiveUpdates | undefined;
  heartbeatMs: number;
}
