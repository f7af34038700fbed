import type { PermissionGrant } from '@apojwt/express';

/**
 * What every demo service agrees on: who issues tokens, for which audiences,
 * and the demo's user table.
 */
export const ISSUER = 'demo-auth';
export const ORDERS_AUDIENCE = 'orders';
export const BILLING_AUDIENCE = 'billing';

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
  permissions: PermissionGrant<string>[];
}

/** The user table: stored hashes only. The passwords are in the client script (demo: alice-demo-password, bob-demo-password). */
export const users: Record<string, DemoUser> = {
  alice: {
    sub: 'alice',
    passwordHash: '$2b$06$hqVWDNxyeBR4ItuQDnZ2ouLKHoUXLqRsceKDitGp8QeScMa7RzuyG',
    permissions: ['orders:read', 'billing:read'],
  },
  bob: {
    sub: 'bob',
    passwordHash: '$2b$06$gAcmpq0HbdpndiO0E3lAt.Kr2yUM/aU6z250o7r2YfdzUOaynyrbO',
    permissions: ['orders:*'],
  },
};

export const permissionsOf = (sub: string): PermissionGrant<string>[] => users[sub]?.permissions ?? [];
