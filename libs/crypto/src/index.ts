export { SecretBox, SecretBoxError } from './secret-box.js';
export { hashToken, newToken, tokenMatches } from './tokens.js';
