export { smoochAdapter } from './adapter.js';
export { SmoochConfig, smoochDefaultBaseUrl, smoochSecretFields } from './config.js';
