// `@estuary/api/rest`: the REST doors onto the router (apps/web mounts them).
export { describedRouter, openApiDocument } from './document';
export { createRestHandler, type RestHandlerOptions } from './handler';
export { type LegacyHistoryItem, legacyHistory } from './history';
export { notOverRest, type RestRoute, restRoutes } from './routes';
export * as restSchemas from './schemas';
