// The conformance kits: one suite per contract, run by the tests of every
// implementation (templates: every framework adapter; stores: memory, Redis).
// Controllers: every framework that calls controller classes itself (Nest,
// routing-controllers). One export statement per line; see README.md.
import * as tc39Controllers from './controllers/index.js';

export { runTemplateConformance } from './template-conformance.js';
export type { FrameworkUnderTest, TemplateFeatures, TemplateOptions, Route, Running, Handler, ControllerModule, ControllerMethod, InjectedControllers } from './framework.js';
export { tc39Controllers };
export { runControllerConformance } from './controller-conformance.js';
export type { ControllerAppUnderTest, ControllerAppSetup } from './controller-app.js';
export { CONTROLLER_ROUTES, CONTROLLER_CLASSES, CONTROLLER_FAILURE_MESSAGE } from './controller-routes.js';
export type { ControllerRoute, ControllerName, RouteRequirement, RouteAnswer, GuardedAnswer, OrderAnswer, RenewAnswer, PublicAnswer } from './controller-routes.js';
export { BASE, REFRESH, SECRET, REFRESH_SECRET, T0, clock, invalidTokens, payloadOf, headerOf } from './fixtures.js';
export { request, bearer } from './http.js';
export type { Answer } from './http.js';
export { listen } from './server.js';
export { runApiKeyConformance } from './api-key-conformance.js';
export { runApiKeyStoreConformance, type ApiKeyStoreUnderTest } from './api-key-store-conformance.js';
export { runStoreConformance, type StoresUnderTest, type StoreFactoryOptions, type StoreConformanceOptions } from './store-conformance.js';
export { runAccountRoutesConformance } from './account-routes-conformance.js';
export { accountWorld, ACCOUNT_ROUTES_BODY_LIMIT, WRONG_CODES_ALLOWED, type AccountRoutesUnderTest, type AccountDatabase, type AccountWorld } from './account-routes-app.js';
