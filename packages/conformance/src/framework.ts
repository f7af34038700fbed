import type { ApoJwt, JsonObject, Template } from '@apojwt/core';

/** Any function a framework calls: middleware, a hook, an endpoint. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Handler = (...args: any[]) => any;

/**
 * A route of the template suite, written once in framework-neutral terms; each
 * {@link FrameworkUnderTest.serve} mounts it its own way.
 *
 * `chain` is middleware first, then one endpoint:
 * - every function but the last is framework-shaped middleware (apojwt's
 *   `apo.permissionRequired(…)`, `framework.jsonParser()`), called with the
 *   framework's own arguments so that it can answer or continue;
 * - the last is the endpoint: called with the framework's handler arguments
 *   (`req, res, next`; `ctx, next`; `request, reply, done`…), the last of
 *   which must be a function (pass a no-op where the framework has none);
 *   it returns the JSON to answer with 200, or `undefined` when it answered
 *   itself. It may be async and may throw: a thrown error must reach the
 *   application's error handler (see {@link FrameworkUnderTest.serve}).
 */
export interface Route {
  method: 'GET' | 'POST';
  /** An exact path (no parameters). */
  path: string;
  chain: Handler[];
}

/** A server listening on 127.0.0.1. */
export interface Running {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** Closes the server and every open connection. */
  close(): Promise<void>;
}

/** The template options the suite asks {@link FrameworkUnderTest.makeTemplate} for. */
export interface TemplateOptions {
  /** The template's name (each instance of the suite registers its own). */
  name?: string;
  /** Read the access token from this cookie too (only asked when `features.cookie`). */
  cookie?: string;
  /** Read (and have the refresh endpoint write) the refresh token in this cookie (only asked when `features.refreshCookie`). */
  refreshCookie?: string;
  /**
   * Hand a refusal to the framework's error handling instead of answering it
   * (Express `errors: 'next'`, Koa `errors: 'throw'`; only asked when
   * `features.frameworkErrors`).
   */
  frameworkErrors?: boolean;
}

/** What a framework's template supports beyond the common core; the suite registers only the tests that apply. */
export interface TemplateFeatures {
  /** `makeTemplate({ cookie })`: the access token from a cookie, header and cookie must agree. */
  cookie: boolean;
  /** `makeTemplate({ refreshCookie })`: a renamed refresh cookie, read by the template and written by `apo.refreshEndpoint()`. */
  refreshCookie: boolean;
  /** `makeTemplate({ frameworkErrors: true })`: refusals go to the app's error handler with `status` and `headers`. */
  frameworkErrors: boolean;
}

/** A controller method as the suite calls it: with the framework's handler arguments. */
export type ControllerMethod = (...args: unknown[]) => unknown;

/**
 * The template suite's controllers (src/controllers/), as compiled in one
 * decorator mode: `tc39Controllers` (exported by this package) or
 * `import * as legacyControllers from '@apojwt/conformance/legacy'`. Each
 * build carries its own `ran` recorder and `view`. Only the legacy build has
 * the parameter-injection controllers (parameter decorators need
 * experimentalDecorators); the suite runs their tests when they are present.
 */
export interface ControllerModule extends Partial<InjectedControllers> {
  /** Which handler bodies ran; the suite empties it before each test. */
  ran: string[];
  /** What a handler answers: its name, its `this` label, and every value the adapter attached. */
  view(name: string, self: { label: string }, args: readonly unknown[]): Record<string, unknown>;
  OrdersController: new () => Record<
    'profile' | 'read' | 'readWrite' | 'readBoth' | 'writeOrBilling' | 'itemsWrite' | 'tokenThenPermission' | 'permissionThenToken' | 'boom',
    ControllerMethod
  >;
  ClassGuardedController: new () => Record<'list' | 'write', ControllerMethod>;
  SessionController: new (apo: ApoJwt<string, JsonObject, JsonObject, true>) => { renew: ControllerMethod };
  boundController(apo: ApoJwt<string, JsonObject, JsonObject, boolean>): { read: ControllerMethod };
}

/**
 * Controllers whose methods take `@TokenSubject()`, `@TokenData()`…
 * parameters (legacy decorators only). Written as methods so their typed
 * parameters are accepted; the suite calls them with the framework's arguments.
 */
export interface InjectedControllers {
  InjectedController: new () => { read(...args: unknown[]): unknown; renew(...args: unknown[]): unknown };
  InjectedClassController: new () => { who(...args: unknown[]): unknown };
}

/**
 * A framework whose apojwt adapter is a template: what
 * {@link runTemplateConformance} runs against. One object per framework
 * version (Express 5 and Express 4 are two).
 */
export interface FrameworkUnderTest {
  /** Shown in the suite's name, e.g. `Express 5`. */
  name: string;
  /** The name the adapter registers its template under (`createApoJwt({ template })`), e.g. `'express'`. */
  template: string;
  /** A fresh template of the adapter with these options (the adapter's `expressTemplate(…)`, `koaTemplate(…)`…). */
  makeTemplate(options: TemplateOptions): Template;
  /**
   * Starts a real server on 127.0.0.1 port 0 serving `routes` (see
   * {@link Route} for how a chain is called). An unknown path answers 404. The
   * app has its own error handler, last, which answers any error that reaches
   * it (a refusal under `frameworkErrors`, an error the endpoint threw) with
   * `status` (default 500), the error's `headers`, and the JSON body
   * `{ handledBy: 'app', error: error.code, message: error.message }`.
   */
  serve(routes: readonly Route[]): Promise<Running>;
  /**
   * The framework's usual JSON body parser as route middleware (Express:
   * `express.json()`); it puts the parsed body where the framework keeps it.
   */
  jsonParser(): Handler;
  /** The raw header lines (`IncomingMessage.rawHeaders`) of the request whose first handler argument is `first`; used to build a custom template. */
  rawHeadersOf(first: unknown): readonly string[];
  /** Template options beyond the common core. */
  features: TemplateFeatures;
  /** The decorator modes to run, each with its build of the controllers; at least one. */
  controllers: { tc39?: ControllerModule; legacy?: ControllerModule };
}
