import type { ServiceClient } from '@apojwt/auth';
import { BILLING_AUDIENCE } from './config.js';

/**
 * The demo's services that call other services (OAuth 2.0 clients, RFC 6749
 * §2): registered with the auth service's token endpoint, like the users in
 * config.ts, as stored hashes only: `hashClientSecret`'s salted
 * HMAC-SHA-256 format (a real secret comes from `generateClientSecret()`:
 * 256 random bits, for which a slow hash buys nothing).
 */
export const ORDERS_CLIENT_ID = 'svc:orders';
export const BATCH_CLIENT_ID = 'svc:batch';

/**
 * The orders service's own client secret, which it is configured with to
 * exchange users' tokens. A demo value kept in the source; a real service
 * reads it from its secret store. The batch job's secret is in the client
 * script, as alice's password is.
 */
export const ORDERS_CLIENT_SECRET = 'orders-demo-client-secret-not-for-production';

/** Permission the batch job's service token carries: the nightly report of orders. */
export const ORDERS_REPORT = 'orders:report';

export const SERVICE_CLIENTS: readonly ServiceClient[] = [
  {
    // Calls billing on behalf of the user: passes on billing:read, to billing only; receives nothing of its own.
    id: ORDERS_CLIENT_ID,
    secretHash: '$apojwt-sha256$v=1$JIh0nN_NZtk6RfYEBBTM4A$b9pw7os9ms1HrYBnWE4SY7zGLTokzxGfHp8pS2dfbSk',
    permissions: [],
    delegate: ['billing:read'],
    audiences: [BILLING_AUDIENCE],
  },
  {
    // Calls orders with its own service token (client credentials): no user, no delegation.
    id: BATCH_CLIENT_ID,
    secretHash: '$apojwt-sha256$v=1$X9-zMtuHR1hAXCOSh3v67A$Vs377Yi85F1Yvwo_cpOTg5B8xzgyYSD2BaG2YwnnzAM',
    permissions: [ORDERS_REPORT],
  },
];
