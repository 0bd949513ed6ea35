export * from './queries/clients.js';
export * from './queries/conversations.js';
export { migrateReadModels, readModelDdl } from './schema.js';
