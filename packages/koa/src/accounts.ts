import type { Context, Middleware as KoaMiddleware, Next } from 'koa';
import { ApoJwtConfigError, authErrorResponse, type AuthResponse } from '@apojwt/core';
import { readJsonBody } from '@apojwt/auth';
import { listAccountRoutes, type AccountEndpoints, type AccountRoute } from '@apojwt/postgres';

// `@apojwt/koa/accounts`: the account routes of @apojwt/postgres, apart from
// the main entry so that a service that only verifies tokens never loads
// the account layer. Translation only: the route table decides every answer.

export interface KoaAccountRoutesOptions {
  /** Mounted under this path (`'/api'` serves `/api/auth/register`…). Default: at the root. */
  readonly prefix?: string;
  /** Largest body read when no body parser ran, in bytes (1 to 1 MiB); default 16 KiB. A larger one is 413 ERR_BODY_TOO_LARGE. */
  readonly bodyLimit?: number;
}

// The ceiling @apojwt/auth's body reader accepts.
const MAX_BODY_LIMIT = 1024 * 1024;

interface Matcher {
  readonly route: AccountRoute;
  readonly pattern: RegExp;
}

/** `/account/sessions/:id` → one path segment for `id`; every other character literal. */
function matcherOf(prefix: string, route: AccountRoute): Matcher {
  const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const source = (prefix + route.path)
    .split('/')
    .map((segment) => (segment === ':id' ? '([^/]+)' : literal(segment)))
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`) };
}

/** As @koa/router decodes a parameter: a malformed escape stays as it came. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function checkOptions(options: unknown): { prefix: string; bodyLimit: number | undefined } {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('accountRoutes options must be an object');
  for (const key of Object.keys(options)) {
    if (key !== 'prefix' && key !== 'bodyLimit') throw new ApoJwtConfigError(`unknown accountRoutes option "${key}" (known: prefix, bodyLimit)`);
  }
  const { prefix = '', bodyLimit } = options as KoaAccountRoutesOptions;
  if (typeof prefix !== 'string' || (prefix !== '' && (!prefix.startsWith('/') || prefix.endsWith('/')))) {
    throw new ApoJwtConfigError("accountRoutes: prefix must be a path such as '/api' (a leading slash, no trailing one)");
  }
  if (bodyLimit !== undefined && (typeof bodyLimit !== 'number' || !Number.isInteger(bodyLimit) || bodyLimit < 1 || bodyLimit > MAX_BODY_LIMIT)) {
    throw new ApoJwtConfigError(`accountRoutes: bodyLimit must be a whole number of bytes from 1 to ${MAX_BODY_LIMIT}`);
  }
  return { prefix, bodyLimit };
}

function send(ctx: Context, answer: AuthResponse): void {
  ctx.status = answer.status;
  ctx.set(answer.headers);
  // Appended, so a cookie another middleware set on this response stays.
  for (const cookie of answer.cookies) ctx.append('Set-Cookie', cookie);
  if (answer.body !== undefined) ctx.body = answer.body;
}

/**
 * The ready-made account routes (`listAccountRoutes`) as one Koa middleware:
 * `app.use(accountRoutes({ accounts, twoFactor }))`. A request whose method
 * and path are a route's is answered here; any other goes on to `next()`,
 * so no router is needed. The body is `ctx.request.body` when a body parser
 * ran, otherwise read here (JSON, at most `bodyLimit` bytes). The client IP
 * is `ctx.ip` (the app's `proxy` setting applies).
 */
export function accountRoutes(endpoints: AccountEndpoints, options: KoaAccountRoutesOptions = {}): KoaMiddleware {
  const { prefix, bodyLimit } = checkOptions(options);
  const matchers = listAccountRoutes(endpoints).map((route) => matcherOf(prefix, route));
  const limit = bodyLimit === undefined ? {} : { limit: bodyLimit };

  return async function accountRoutesMiddleware(ctx: Context, next: Next): Promise<void> {
    let found: { route: AccountRoute; id: string | undefined } | undefined;
    for (const { route, pattern } of matchers) {
      if (route.method !== ctx.method) continue;
      const match = pattern.exec(ctx.path);
      if (match !== null) {
        found = { route, id: match[1] === undefined ? undefined : decoded(match[1]) };
        break;
      }
    }
    if (found === undefined) return next();
    let answer: AuthResponse;
    try {
      const parsed = (ctx.request as { body?: unknown }).body;
      const body = !found.route.readsBody ? undefined : parsed !== undefined ? parsed : await readJsonBody(ctx.req, limit);
      answer = await found.route.answer({ rawHeaders: ctx.req.rawHeaders, body, id: found.id, ip: ctx.ip });
    } catch (error) {
      // A body too large or not JSON; anything that is not an ApoJwtError goes on to Koa's error handling.
      answer = authErrorResponse(error, [], undefined);
    }
    send(ctx, answer);
  };
}
