import { IncomingMessage } from 'node:http';
import { ApoJwtConfigError, entryAlongPrototypes, findBearerToken, findCookie, instanceTest, type AccessClaims, type InjectedValues, type RefreshClaims } from '@apojwt/core';

const isNodeRequest = instanceTest(IncomingMessage);

/**
 * The two platforms hand handlers different request objects: Express's `req`
 * is Node's IncomingMessage itself, Fastify's `request` wraps it as
 * `request.raw`. Credentials are read from Node's raw header list on both
 * (core's finders take `rawHeaders`: a second Authorization header stays
 * visible there), so the answer never depends on the platform.
 */
export function rawRequestOf(request: unknown): IncomingMessage {
  if (isNodeRequest(request)) return request as IncomingMessage;
  const raw = (request as { raw?: unknown } | null | undefined)?.raw;
  if (isNodeRequest(raw)) return raw as IncomingMessage;
  throw new ApoJwtConfigError('@apojwt/nest reads requests of @nestjs/platform-express and @nestjs/platform-fastify only: this request is neither');
}

/**
 * The parsed body, only when the request carried one. Both platforms parse
 * before the handler runs, and Express's JSON parser gives an empty or
 * absent body as `{}`: it would reach a handler as an object without fields
 * (answered as a missing e-mail or password, not as a missing body). A
 * request without body bytes (no Content-Length above 0, no
 * Transfer-Encoding) has no body, whatever the parser left.
 */
export function sentBody(request: unknown): unknown {
  const { headers } = rawRequestOf(request);
  const chunked = headers['transfer-encoding'] !== undefined;
  const length = headers['content-length'];
  if (!chunked && (length === undefined || Number(length) === 0)) return undefined;
  return (request as { body?: unknown }).body;
}

/** Where the access and the refresh token are. */
export interface Credentials {
  /** Also accept the access token from this cookie (header and cookie must agree). */
  readonly cookie: string | undefined;
  /** The refresh token's cookie. */
  readonly refreshCookie: string;
}

/** The access token, undefined when none was sent; ERR_REQUEST_MALFORMED for a malformed credential. */
export function accessTokenOf(request: unknown, credentials: Credentials): string | undefined {
  return findBearerToken(rawRequestOf(request).rawHeaders, { cookie: credentials.cookie });
}

/** The refresh token from its cookie, undefined when none was sent. */
export function refreshTokenOf(request: unknown, credentials: Credentials): string | undefined {
  return findCookie(rawRequestOf(request).rawHeaders, credentials.refreshCookie);
}

/**
 * Verified values go on the request object the handler sees (`@Req()`:
 * Express's req, Fastify's request), where the parameter decorators and
 * `GuardedRequest` read them. A second check on the same request adds to the first.
 */
export function attachValues(request: object, values: InjectedValues): void {
  Object.assign(request, values);
}

type Key = keyof InjectedValues;
const KEYS: readonly Key[] = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'];

/**
 * Where the guard's values live. Four new own properties on every request
 * (Express's req, Fastify's request) change its shape on each request: in a
 * CPU profile of a guarded Nest app that was the guard's largest item, and
 * it made more garbage. Even one symbol-keyed property costs a shape
 * transition on Node's large request object (4-7 µs with cold caches,
 * bench/adapters/guard-cold.ts). Instead the values live in a WeakMap keyed
 * by the request and are read through accessors defined once on the
 * request's prototype (Express: the app's `request`; Fastify: its Request),
 * as @apojwt/express does. Reading `req.tokenSubject` (`@Req()`, the
 * parameter decorators, `GuardedRequest`) is unchanged; assigning it gives an
 * ordinary own property, as before. The map hangs off `globalThis` under a
 * `Symbol.for` key, so two copies of the package agree.
 */
const SHARED = Symbol.for('apojwt.nest.requestValues');
type Values = Partial<Record<Key, unknown>>;
const holder = globalThis as { [SHARED]?: WeakMap<object, Values> };
const valuesOf: WeakMap<object, Values> = (holder[SHARED] ??= new WeakMap());
const prepared = new WeakSet<object>();
// Every request of an app has the same prototype: the WeakSet is asked once per app.
let lastPrepared: object | undefined;

function defineAccessors(proto: object): void {
  const parent = Object.getPrototypeOf(proto) as object | null;
  for (const key of KEYS) {
    if (Object.prototype.hasOwnProperty.call(proto, key)) continue;
    Object.defineProperty(proto, key, {
      configurable: true,
      enumerable: false,
      get(this: object): unknown {
        const values = entryAlongPrototypes(valuesOf, this, proto);
        // Whatever further up the chain answers (another adapter's accessors) still does for a request the guard did not fill.
        return values !== undefined && key in values ? values[key] : parent === null ? undefined : Reflect.get(parent, key, this);
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
    });
  }
  prepared.add(proto);
}

/** Own properties (a plain request object, or one on which something already set a value): written as before, so they are replaced. */
function writesDirectly(request: object, proto: object | null): boolean {
  if (proto === null || proto === Object.prototype) return true;
  for (const key of KEYS) if (Object.prototype.hasOwnProperty.call(request, key)) return true;
  return false;
}

function attach(request: object, values: Values): void {
  const proto = Object.getPrototypeOf(request) as object | null;
  if (writesDirectly(request, proto)) {
    Object.assign(request, values);
    return;
  }
  if (proto !== lastPrepared) {
    if (!prepared.has(proto as object)) defineAccessors(proto as object);
    lastPrepared = proto as object;
  }
  const earlier = valuesOf.get(request);
  valuesOf.set(request, earlier === undefined ? values : { ...earlier, ...values });
}

/** The guard's access values: what `attachValues` would put there, without a property added to the request. */
export function attachAccess(request: object, claims: AccessClaims<string, object>): void {
  attach(request, { tokenData: claims.data, tokenSubject: claims.sub, tokenPermissions: claims.perms, tokenClaims: claims });
}

export function attachRefresh(request: object, claims: RefreshClaims<object>): void {
  attach(request, { refreshData: claims.data, refreshClaims: claims });
}

// The refresh family a @Refresh() check consumed, for the interceptor that runs the handler.
const families = new WeakMap<object, string>();

export function rememberFamily(request: object, family: string): void {
  families.set(request, family);
}

export function familyOf(request: object): string | undefined {
  return families.get(request);
}
