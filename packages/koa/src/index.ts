import { registerTemplate } from '@apojwt/core';
import { koaTemplate } from './template.js';
import './types.js';

// Importing the adapter makes `createApoJwt({ template: 'koa' })` resolve.
registerTemplate(koaTemplate());

export { koaTemplate, type KoaTemplateOptions } from './template.js';
export * from '@apojwt/core';
export { jwksHandler } from './handlers.js';
export { requestScope } from './request-scope.js';
export { koaRouterRoutes } from './routes.js';
export type { GuardedContext, GuardedState } from './types.js';
