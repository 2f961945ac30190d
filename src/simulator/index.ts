/** The X API v2 simulator and its deterministic scenarios: the public surface of src/simulator. */

export { createSimulatorApp, type SimulatorAppOptions } from './http/app.ts';
export { DEFAULT_RATE_LIMITS, type EndpointName } from './http/rate-limit.ts';
export type { QueryNode } from './query/ast.ts';
export { type CompiledQuery, compileQuery, type QueryTarget } from './query/match.ts';
export { parseQuery, QuerySyntaxError } from './query/parse.ts';
export { generateScenario, OGP16_SCENARIO } from './scenario.ts';
export { type RunningSimulator, type SimulatorServerOptions, startSimulator } from './server.ts';
export { snowflakeId, snowflakeTime, X_EPOCH_MS } from './snowflake.ts';
export type {
  GroundTruth,
  PostKind,
  PostMetrics,
  Scenario,
  ScenarioOptions,
  SimPost,
  SimUser,
} from './types.ts';
