import type { PermissionGrant } from '@apojwt/express';

/**
 * What every demo service agrees on: who issues tokens, for which audiences,
 * and the demo's user table.
 */
export const ISSUER = 'demo-auth';
export const ORDERS_AUDIENCE = 'orders';
export const BILLING_AUDIENCE = 'billing';
export const CATALOG_AUDIENCE = 'catalog';
export const SHIPPING_AUDIENCE = 'shipping';

/**
 * bcrypt cost of the demo's hashes. Cost 6 takes ~4 ms per hash where the
 * production default (12) takes ~250 ms: the demo and its CI test log in
 * several times per run, and the cost is part of the hash (`$2b$06$`), so
 * nothing else changes. Use the default (12) or more for real users.
 */
export const BCRYPT_COST = 6;

export interface DemoUser {
  sub: string;
  passwordHash: string;
  /** Held through roles (declared below); expanded into the token's `perms` when it is issued. */
  roles: string[];
}

/**
 * The auth service's roles: a customer reads everywhere; a clerk is a
 * customer who may also write orders. Expanded at issue time, so the
 * verifying services need no copy of this declaration.
 */
export const ROLES = {
  customer: { permissions: ['orders:read', 'billing:read', 'catalog:read', 'shipping:read'] },
  clerk: { permissions: ['orders:write'], includes: ['customer'] },
} satisfies Record<string, { permissions: PermissionGrant<string>[]; includes?: string[] }>;

/** The user table: stored hashes only. The passwords are in the client script (alice-demo-password). */
// A Map, not an object literal: a username such as "__proto__" must find nobody.
export const users = new Map<string, DemoUser>([['alice', { sub: 'alice', passwordHash: '$2b$06$hqVWDNxyeBR4ItuQDnZ2ouLKHoUXLqRsceKDitGp8QeScMa7RzuyG', roles: ['customer'] }]]);

export const rolesOf = (sub: string): string[] => users.get(sub)?.roles ?? [];
