/** The X API v2 simulator and its deterministic scenarios: the public surface of src/simulator. */

export { type FaultOptions, planFaults } from './faults.ts';
export { generateScenario, streamScenario } from './scenario.ts';

export {
  LEADERBOARD_METRICS,
  type LeaderboardMetric,
  type LeaderboardQuery,
  type PostKind,
  type Scenario,
  type SimPost,
  type SimUser,
} from './types.ts';
export { createSimulator, createSimulatorApp, type SimulatorAppOptions } from './x/app.ts';

export { compileQuery } from './x/query/match.ts';
export { parseQuery, QuerySyntaxError } from './x/query/parse.ts';

export { type RunningSimulator, type SimulatorServerOptions, startSimulator } from './x/server.ts';
