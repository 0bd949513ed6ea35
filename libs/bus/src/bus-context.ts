import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { BusNames } from './naming.js';
import type { ServerFeatures } from './server-version.js';

/** What every part of the bus works with: one connection, its JetStream handles, names, server features. */
export interface BusContext {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly names: BusNames;
  readonly features: ServerFeatures;
}

/** A running loop (responder, consumer, collector) that a graceful shutdown stops. */
export interface Stoppable {
  /** Stops taking work and resolves once the work already taken has finished. */
  stop(): Promise<void>;
}
