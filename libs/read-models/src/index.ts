export { migrateReadModels, readModelDdl } from './schema.js';
