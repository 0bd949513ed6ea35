export { type Choice, choiceForReply, renderNumberedChoices } from './choices.js';
export { constantTimeEqual } from './compare.js';
export { type DigestEncoding, fromBase64Url, type HmacAlgorithm, hmac, hmacBytes, sha256 } from './digest.js';
export { encodeForm, parseForm } from './form.js';
export {
  type AnswerDetails,
  classifyHttpAnswer,
  header,
  isRecord,
  parseJson,
  retryAfterMs,
  stringField,
} from './http.js';
export { splitText } from './split-text.js';
export {
  cardAsText,
  cardChoices,
  dropdownChoices,
  locationAsText,
  mapLink,
  payloadAsTexts,
} from './text-fallback.js';
export { basicAuthorization, toWireRequest, type WireRequest } from './wire.js';
