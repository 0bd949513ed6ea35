export { vonageAdapter } from './adapter.js';
export { VonageConfig } from './config.js';
export { vonageTokenToleranceSeconds } from './verify.js';
