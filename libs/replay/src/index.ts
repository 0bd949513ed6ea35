export { type RecordedEventJson, recordedEventJson } from './event-json.js';
export { InvalidReplayPointError, parseReplayPoint, replayPointPattern } from './replay-point.js';
export {
  type Replay,
  type ReplayPoint,
  type ReplayStep,
  replayStream,
  UnknownStreamCategoryError,
} from './replay-stream.js';
export { diffStates, type StateChange } from './state-diff.js';
export { streamEvents } from './stream-events.js';
