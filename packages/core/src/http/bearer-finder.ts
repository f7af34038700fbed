import type { Finder } from '../template.js';
import { findBearerToken, type BearerOptions } from './credentials.js';

/** Where a request's raw header list is (`req.rawHeaders`, `ctx.req.rawHeaders`, `request.raw.rawHeaders`). */
export type RawHeadersOf<Request> = (request: Request) => readonly string[];

/** Finders made by `bearerTokenFinder` that read the Authorization header and nothing else. */
const headerOnlyFinders = new WeakMap<Finder, RawHeadersOf<unknown>>();

/**
 * A template's `tokenFinder`: `findBearerToken` over the request's raw
 * header list. Without a cookie the finder is remembered as reading the
 * Authorization header alone, so core's guard may read that header itself
 * and look it up in the verified cache as sent (a header seen before with a
 * cached token is not parsed again; the answers are the same). The finder
 * function is what is remembered: a template that replaces it (a spread
 * with its own `tokenFinder`) or a `tokenFinder` option is asked as usual.
 */
export function bearerTokenFinder<Request>(headersOf: RawHeadersOf<Request>, options: BearerOptions = {}): (request: Request) => string | undefined {
  const bearer: BearerOptions = { cookie: options.cookie };
  const finder = (request: Request): string | undefined => findBearerToken(headersOf(request), bearer);
  if (bearer.cookie === undefined) headerOnlyFinders.set(finder as Finder, headersOf as RawHeadersOf<unknown>);
  return finder;
}

/** The raw-header accessor of a finder that reads the Authorization header alone; undefined for any other finder. */
export function bearerHeaderSource(finder: Finder | undefined): RawHeadersOf<unknown> | undefined {
  return finder === undefined ? undefined : headerOnlyFinders.get(finder);
}
