export {
  advanceCheckpoint,
  checkpointChannel,
  checkpointPayload,
  ensureCheckpoint,
  lockCheckpoint,
  readCheckpoint,
  startOfAll,
} from './projections/checkpoints.js';
export { CheckpointMovedError, commitBatch } from './projections/commit-batch.js';
export { coreProjection, type Projection } from './projections/core-projection.js';
export { type DeliveryEventType, insertDeliveries, updateDeliveries } from './projections/delivery-rows.js';
export { projectBatch } from './projections/project-batch.js';
export {
  holdsProjectionLock,
  projectionLockKey,
  tryLockProjection,
  unlockProjection,
} from './projections/projection-lock.js';
export { projectionNamed, projections, UnknownProjectionError } from './projections/projection-registry.js';
export { type ProjectionStatus, projectionStatuses } from './projections/projection-status.js';
export { ProjectionWaiter } from './projections/projection-waiter.js';
export {
  type RebuildOptions,
  type RebuildResult,
  rebuildReadModels,
  resetReadModels,
} from './projections/rebuild.js';
export {
  type OnlineRebuildOptions,
  type OnlineRebuildResult,
  RebuildInProgressError,
  rebuildOnline,
} from './projections/rebuild-online.js';
export {
  type EventRun,
  eventRuns,
  type ProjectedEvent,
  UnprojectableEventError,
} from './projections/recorded-runs.js';
export * from './queries/broadcasts.js';
export * from './queries/channel-traffic.js';
export * from './queries/clients.js';
export * from './queries/conversations.js';
export * from './queries/deliveries.js';
export { migrateReadModels, readModelDdl } from './schema.js';
