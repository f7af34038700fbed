import { registerTemplate } from '@apojwt/core';
import { fastifyTemplate } from './template.js';
import './types.js';

// Importing the adapter makes `createApoJwt({ template: 'fastify' })` resolve.
registerTemplate(fastifyTemplate());

export { fastifyTemplate, type FastifyTemplateOptions } from './template.js';
export * from '@apojwt/core';
export { apojwtPlugin, type ApoJwtPluginOptions } from './plugin.js';
export { fastifyGuard, toPreHandler, type ApoPreHandler, type FastifyGuard } from './pre-handler.js';
export type { GuardedFastifyRequest, GuardedValues } from './types.js';
export { jwksHandler, type ApoRouteHandler } from './handlers.js';
export { requestScope } from './request-scope.js';
export { routeRecorder, type RouteRecorder } from './routes.js';
