/** What every benchmark server and the load generator agree on. */
export const SECRET = 'bench-secret-0123456789-0123456789-abcdef';
export const ISSUER = 'bench-auth';
export const AUDIENCE = 'bench-api';
export const PERMISSION = 'orders:read';
export const BODY = { ok: true, orders: [{ id: 1, item: 'coffee beans' }] };

export const CASES = [
  'express-bare',
  'express-noop',
  'express-apojwt',
  'express-jwt',
  'koa-bare',
  'koa-apojwt',
  'koa-jwt',
  'nest-bare',
  'nest-noop-guard',
  'nest-noop-interceptor',
  'nest-apojwt',
  'nest-apojwt-guard-only',
  'nest-minimal-guard',
  'nest-passport',
  'fastify-bare',
  'fastify-noop',
  'fastify-apojwt',
  'fastify-apojwt-decorator',
  'fastify-apojwt-decorator-unscoped',
  'fastify-minimal-hook',
  'fastify-floor-hook',
  'fastify-jwt',
] as const;
export type Case = (typeof CASES)[number];
export type Framework = 'express' | 'koa' | 'nest' | 'fastify';

export const frameworkOf = (which: Case): Framework => which.slice(0, which.indexOf('-')) as Framework;
/** The case every other case of its framework is compared with. */
export const bareOf = (which: Case): Case => `${frameworkOf(which)}-bare` as Case;
/**
 * A check against the cheapest layer of the same shape that does nothing
 * (Express: a middleware; Fastify: a preHandler hook; Nest: a global guard):
 * what apojwt costs above any check mounted that way.
 */
export const NOOP_BASES: readonly (readonly [Case, Case])[] = [
  ['express-apojwt', 'express-noop'],
  ['fastify-apojwt', 'fastify-noop'],
  ['nest-apojwt', 'nest-noop-guard'],
];

/**
 * The server script of a case, relative to this file's folder. Nest needs
 * legacy decorators, so its servers are compiled on their own
 * (tsconfig.legacy.json) and run from their own script.
 */
export const serverScriptOf = (which: Case): string => (frameworkOf(which) === 'nest' ? './nest/server.js' : './server.js');

/** The cases whose name starts with one of ONLY's comma-separated prefixes (every case without ONLY). */
export function selectCases(only: string | undefined): Case[] {
  const prefixes = only?.split(',');
  return CASES.filter((c) => prefixes === undefined || prefixes.some((prefix) => c.startsWith(prefix)));
}
