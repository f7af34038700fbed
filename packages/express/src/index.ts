import { registerTemplate } from '@apojwt/core';
import { expressTemplate } from './template.js';
import './types.js';

// Importing the adapter makes `createApoJwt({ template: 'express' })` resolve.
registerTemplate(expressTemplate());

export { expressTemplate, type ExpressTemplateOptions } from './template.js';
export * from '@apojwt/core';
export { jwksHandler } from './handlers.js';
export { requestScope } from './request-scope.js';
export { expressRoutes } from './routes.js';
export type { GuardedRequest } from './types.js';
