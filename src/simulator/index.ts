// Public entry point of the Klaviyo simulator.
export { startSimulator, resolveDataEnd, type Simulator, type SimulatorOptions, type GroundTruthOptions } from './server.js';
export { GROUND_TRUTH_STREAMS, METRIC_STREAMS, type GroundTruthRecord } from './ground-truth.js';
export { pageAll, simGet, type ClientOptions, type JsonApiResource, type SimResponse } from './client.js';
export type { Knobs } from './http/knobs.js';
export type { SimulatorStats } from './http/stats.js';
export type { MutationRequest, MutationResult } from './world/mutate.js';
export type { ScaleName } from './world/scale.js';
