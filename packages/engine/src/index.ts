/**
 * @kubectl-mtv/engine: the pure scheduling core of kubectl-mtv (no I/O, no clock, deterministic). The CLI plans and
 * simulates with it; the sandbox times its simulated CDI transfers with its bandwidth model.
 */

export * from './adaptive/adaptive-admission.js';
export * from './adaptive/blind-simulator.js';
export * from './adaptive/host-limiter.js';
export * from './adaptive/rate-meter.js';
export * from './bandwidth.js';
export * from './create-policy.js';
export * from './lower-bound.js';
export * from './metrics.js';
export * from './model.js';
export * from './ordering.js';
export * from './policies/disk.js';
export * from './policies/disk-planner.js';
export * from './policies/gang.js';
export * from './policies/vm-cost.js';
export * from './policy.js';
export * from './quantity.js';
export * from './run-schedule.js';
export * from './seeded-random.js';
export * from './simulation-result.js';
export * from './simulator.js';
export * from './warm/change-rate.js';
export * from './warm/warm-scheduler.js';
export * from './warm/warm-simulation-options.js';
export * from './warm/warm-simulation-result.js';
export * from './warm/warm-simulator.js';
export * from './warm/warm-task-seconds.js';
export * from './workload.js';
