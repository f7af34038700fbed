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
  'nest-apojwt',
  'nest-passport',
  'fastify-bare',
  'fastify-apojwt',
  'fastify-jwt',
] as const;
export type Case = (typeof CASES)[number];
export type Framework = 'express' | 'koa' | 'nest' | 'fastify';

export const frameworkOf = (which: Case): Framework => which.slice(0, which.indexOf('-')) as Framework;
/** The case every other case of its framework is compared with. */
export const bareOf = (which: Case): Case => `${frameworkOf(which)}-bare` as Case;
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
