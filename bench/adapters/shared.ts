/** What every benchmark server and the load generator agree on. */
export const SECRET = 'bench-secret-0123456789-0123456789-abcdef';
export const ISSUER = 'bench-auth';
export const AUDIENCE = 'bench-api';
export const PERMISSION = 'orders:read';
export const BODY = { ok: true, orders: [{ id: 1, item: 'coffee beans' }] };

export const CASES = ['express-bare', 'express-apojwt', 'express-jwt', 'koa-bare', 'koa-apojwt', 'koa-jwt'] as const;
export type Case = (typeof CASES)[number];
