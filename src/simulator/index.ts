/** The X API v2 simulator and its deterministic scenarios: the public surface of src/simulator. */

export { type FaultOptions, type FaultPlan, planFaults } from './faults.ts';
export { createSimulator, createSimulatorApp, type Simulator, type SimulatorAppOptions } from './http/app.ts';
export { DEFAULT_RATE_LIMITS, type EndpointName } from './http/rate-limit.ts';
export type { SimulatorStats } from './http/state.ts';
export { ACCESS_TIERS, type AccessTier, TIERS, type TierPolicy } from './http/tiers.ts';
export type { QueryNode } from './query/ast.ts';
export { type CompiledQuery, compileQuery, type QueryTarget } from './query/match.ts';
export { parseQuery, QuerySyntaxError } from './query/parse.ts';
export { generateScenario, OGP16_SCENARIO, SCENARIO_PRESETS, streamScenario } from './scenario.ts';
export { type RunningSimulator, type SimulatorServerOptions, startSimulator } from './server.ts';
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
