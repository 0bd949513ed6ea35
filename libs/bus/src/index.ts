export { DEFAULT_RETRY, type RetryPolicy, retryDelayMs } from './backoff.js';
export { type Bus, busOnConnection, type ConnectBusOptions, connectBus } from './bus.js';
export type { BusContext, Stoppable } from './bus-context.js';
export {
  type CommandHandler,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RequestOptions,
  type Responder,
  type ServeOptions,
} from './commands.js';
export {
  type ConsumeOptions,
  type ConsumeOutcome,
  type ConsumerHandle,
  consumerSpecFor,
  outcome,
} from './consume.js';
export {
  type CollectorOptions,
  type DeadLetterAdvisory,
  parseDeadLetterAdvisory,
} from './dead-letter-collector.js';
export {
  DEAD_LETTER_HEADERS,
  type DeadLetter,
  DeadLetterNotFoundError,
  type DeadLetterOrigin,
  type DeadLetterQuery,
  deadLetterKey,
  REDRIVE_HEADERS,
} from './dead-letters.js';
export {
  type CommandEnvelope,
  type CommandMetadata,
  type CommandReply,
  type CommandReplyStatus,
  commandEnvelope,
  decodeCommandEnvelope,
  decodeCommandReply,
  decodeJson,
  encodeJson,
  MalformedMessageError,
  type NewCommand,
} from './envelope.js';
export { keepWorking } from './keep-working.js';
export {
  type BusNames,
  busNames,
  InvalidSubjectTokenError,
  type StreamNames,
  subjectToken,
} from './naming.js';
export { ExpectedLastMsgIdMismatchError, type PublishOptions } from './publish.js';
export {
  compareVersions,
  parseServerVersion,
  SERVER_FEATURES,
  type ServerFeature,
  type ServerFeatures,
  serverFeatures,
  UnsupportedServerFeatureError,
} from './server-version.js';
export {
  advisoriesStream,
  type ConsumerSpec,
  deadLetterAdvisorySubjects,
  dlqStream,
  type EnsureAction,
  eventsStream,
  inboxStream,
  type StreamSpec,
  TopologyConflictError,
} from './topology.js';
