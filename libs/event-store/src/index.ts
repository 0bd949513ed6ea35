export { connectEventStore, eventStoreConnectionParameters } from './connect.js';
export {
  DuplicateEventIdError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError,
} from './errors.js';
export { createEventStore, type EventStoreOptions } from './event-store.js';
export { migrate } from './migrate.js';
export { afterAll, beforeAll, comparePositions, positionFromJson, positionToJson } from './position.js';
export {
  parseRelayedEvent,
  type RelayedEvent,
  type RelayedEventBody,
  relayedEventBody,
} from './relayed-event.js';
export { streamCategory } from './stream-name.js';
export type {
  AllFilter,
  AllSubscription,
  AppendOptions,
  AppendResult,
  DeleteOptions,
  EventData,
  EventMetadata,
  EventStore,
  ExpectedState,
  Position,
  ReadAllOptions,
  ReadDirection,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  StreamMetadata,
  SubscribeToAllOptions,
  Upcaster,
} from './types.js';
