/** The X API v2 simulator and its deterministic scenarios: the public surface of src/simulator. */

export { type FaultOptions, type FaultPlan, planFaults } from './faults.ts';
export { generateScenario, OGP16_SCENARIO, SCENARIO_PRESETS, streamScenario } from './scenario.ts';
export { snowflakeId, snowflakeTime, X_EPOCH_MS } from './snowflake.ts';
export {
  type GroundTruth,
  LEADERBOARD_METRICS,
  type LeaderboardMetric,
  type LeaderboardQuery,
  type LeaderboardRow,
  type LeaderboardScope,
  type PostKind,
  type PostMetrics,
  type Scenario,
  type ScenarioOptions,
  type ScenarioStream,
  type SimPost,
  type SimUser,
} from './types.ts';
export { createSimulator, createSimulatorApp, type Simulator, type SimulatorAppOptions } from './x/app.ts';
export type { QueryNode } from './x/query/ast.ts';
export { type CompiledQuery, compileQuery, type QueryTarget } from './x/query/match.ts';
export { parseQuery, QuerySyntaxError } from './x/query/parse.ts';
export { DEFAULT_RATE_LIMITS, type EndpointName } from './x/rate-limit.ts';
export { type RunningSimulator, type SimulatorServerOptions, startSimulator } from './x/server.ts';
export type { SimulatorStats } from './x/state.ts';
export { ACCESS_TIERS, type AccessTier, TIERS, type TierPolicy } from './x/tiers.ts';
