export { messengerAdapter } from './adapter.js';
export {
  MessengerConfig,
  messengerDefaultApiVersion,
  messengerDefaultBaseUrl,
  messengerSecretFields,
} from './config.js';
export { messengerSignature } from './verify.js';
