import type { IncomingMessage } from 'node:http';
import { ApoJwtConfigError, type ApoJwtError } from './errors.js';

/**
 * A template binds apojwt to one framework. It only translates: where the
 * token is in a request, where verified values go, how an error is answered.
 * What is valid, which code and which status: all decided in core.
 *
 * `args` are the arguments the framework passes to a handler or middleware
 * (Express: req, res, next; Koa: ctx, next).
 */
export type Finder = (...args: FrameworkArguments) => string | undefined | Promise<string | undefined>;
/** Called with `this` set to the ApoJwt instance (for its `realm`). */
export type ExceptionHandler = (this: { readonly realm?: string | undefined }, error: ApoJwtError, ...args: FrameworkArguments) => unknown;

/**
 * Each template types the arguments as its framework does (`(req: Request,
 * res: Response)`), while core only passes along what the framework gave it.
 * A parameter list of `unknown` would refuse every such typed callback, and
 * `never` would let core call none: the list is left untyped, once, here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type FrameworkArguments = any[];

/** Values handlers receive once a check passed. */
export interface InjectedValues {
  tokenData?: unknown;
  tokenSubject?: string;
  tokenPermissions?: readonly string[];
  tokenClaims?: unknown;
  refreshData?: unknown;
  refreshClaims?: unknown;
}

export interface Template {
  readonly name: string;
  /** The access token, `undefined` when none was sent; throws ERR_REQUEST_MALFORMED for a malformed credential. */
  tokenFinder: Finder;
  /** The refresh token, `undefined` when none was sent. */
  refreshFinder: Finder;
  /** Answers the request for a rejected check. */
  exceptionHandler: ExceptionHandler;
  /** Stores verified values on the request (Express `req`, Koa `ctx.state`). */
  attach(args: readonly unknown[], values: InjectedValues): void;
  /**
   * Sends an answer (the auth endpoints'): JSON `body`, or no body when it is
   * undefined (204). A header value may be a list (Set-Cookie). Optional for
   * custom templates.
   */
  respond?(args: readonly unknown[], status: number, headers: Record<string, string | string[]>, body: unknown): unknown;
  /** The request parts the auth endpoints read: Node's request, the client IP, a body parser's result. Optional for custom templates. */
  request?(args: readonly unknown[]): { req: IncomingMessage; ip: string | undefined; body: unknown };
  /** True when `exceptionHandler` hands errors to the framework instead of answering (the auth endpoints then do the same). */
  readonly frameworkErrors?: boolean;
  /** Name of the refresh-token cookie the refreshFinder reads, so the refresh endpoint writes the same one. */
  readonly refreshCookie?: string;
  /**
   * True when `args` are this framework's handler arguments. A decorated
   * method called with anything else (parameter injection, a service-layer
   * call) finds its request in the request scope instead. Without it, every
   * call is taken as the framework's arguments.
   */
  isRequest?(args: readonly unknown[]): boolean;
  /** The matched route of the request (`GET /orders/:id`), for decision events; undefined when the framework has not matched one. */
  routeOf?(args: readonly unknown[]): string | undefined;
  /**
   * The request's headers as Node's raw list (`IncomingMessage.rawHeaders`:
   * name, value, …), for credentials beside the Bearer token: routes that
   * accept API keys read the key header through it. Optional for custom
   * templates (such a template then serves Bearer-only routes).
   */
  requestHeaders?(args: readonly unknown[]): readonly string[];
  /** How the framework calls a handler, for error messages: e.g. '(req, res, next)'. */
  readonly handlerArguments?: string;
  /**
   * Hands an error thrown by a decorated handler to the framework's error
   * handling (Express: `next(err)`, which Express 4 would never get from a
   * returned promise). True when it was taken; otherwise the error rejects
   * the handler's promise, for frameworks that await it (Koa, Fastify).
   */
  handlerError?(args: readonly unknown[], error: unknown): boolean;
  /**
   * Adapts core's middleware (`apo.permissionRequired(...)` and friends) to
   * the framework's hook shape, when core's `(…args, next)` calling
   * convention is not it (Fastify counts both the returned promise and the
   * `next` call as "done").
   */
  middleware?(middleware: (...args: FrameworkArguments) => unknown): (...args: FrameworkArguments) => unknown;
}

const templates = new Map<string, Template>();

/** Adapters register their template by name when imported, so `template: 'express'` resolves. */
export function registerTemplate(template: Template): void {
  templates.set(assertTemplate(template).name, template);
}

export function resolveTemplate(template: string | Template): Template {
  if (typeof template !== 'string') return assertTemplate(template);
  const found = templates.get(template);
  if (found === undefined) {
    // Only names that exist: a package name made from the user's text
    // ('@apojwt/Express') would send them looking for something that is not there.
    const names = [...templates.keys()];
    const quoted = JSON.stringify(template.length > 64 ? `${template.slice(0, 64)}…` : template);
    const near = names.find((name) => name.toLowerCase() === template.toLowerCase());
    const known =
      names.length === 0
        ? 'no template is registered (an adapter registers its template when its package is imported)'
        : `registered templates: ${names.map((name) => JSON.stringify(name)).join(', ')}${near === undefined ? '' : `; did you mean ${JSON.stringify(near)}?`}`;
    throw new ApoJwtConfigError(`unknown template ${quoted}: ${known}; or pass a template object`);
  }
  return found;
}

/** A template object is checked when configured, not when the first request needs it. */
function assertTemplate(template: unknown): Template {
  if (template === null || typeof template !== 'object') throw new ApoJwtConfigError('template must be a template name or a template object');
  const candidate = template as Record<string, unknown>;
  if (typeof candidate['name'] !== 'string' || candidate['name'].length === 0) throw new ApoJwtConfigError('template.name must be a non-empty string');
  for (const slot of ['tokenFinder', 'refreshFinder', 'exceptionHandler', 'attach']) {
    if (typeof candidate[slot] !== 'function') throw new ApoJwtConfigError(`template.${slot} must be a function`);
  }
  for (const slot of ['respond', 'request', 'isRequest', 'handlerError', 'middleware', 'requestHeaders']) {
    if (candidate[slot] !== undefined && typeof candidate[slot] !== 'function') throw new ApoJwtConfigError(`template.${slot} must be a function when given`);
  }
  return template as Template;
}

// RFC 6265 §4.1.1: a cookie name is a token. It is also quoted in error messages and challenges.
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks the options of a built-in template (`expressTemplate`,
 * `koaTemplate`) when it is made: a misspelt option or cookie name would
 * otherwise silently never find a credential, and a cookie name outside the
 * RFC 6265 token set (a quote) would break the quoted error_description of the challenge.
 */
export function checkTemplateOptions(options: unknown, errorModes: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('template options must be an object');
  const known = ['name', 'cookie', 'refreshCookie', 'errors'];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new ApoJwtConfigError(`unknown template option "${key}" (known: ${known.join(', ')})`);
  }
  const { name, cookie, refreshCookie, errors } = options as Record<string, unknown>;
  if (name !== undefined && (typeof name !== 'string' || name.length === 0)) throw new ApoJwtConfigError('template option name must be a non-empty string');
  for (const [label, value] of [
    ['cookie', cookie],
    ['refreshCookie', refreshCookie],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || !COOKIE_NAME.test(value))) {
      throw new ApoJwtConfigError(`template option ${label} must be a cookie name (an RFC 6265 token)`);
    }
  }
  if (errors !== undefined && (typeof errors !== 'string' || !errorModes.includes(errors))) {
    throw new ApoJwtConfigError(`template option errors must be ${errorModes.map((m) => `'${m}'`).join(' or ')}`);
  }
}
