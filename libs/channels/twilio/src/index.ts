export { twilioAdapter } from './adapter.js';
export { TwilioConfig } from './config.js';
export { twilioSignature } from './verify.js';
