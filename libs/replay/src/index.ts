export {
  type Replay,
  type ReplayPoint,
  type ReplayStep,
  replayStream,
  UnknownStreamCategoryError,
} from './replay-stream.js';
