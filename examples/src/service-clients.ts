import type { ServiceClient } from '@apojwt/auth';
import { BILLING_AUDIENCE } from './config.js';

/**
 * The demo's services that call other services (OAuth 2.0 clients, RFC 6749
 * §2): registered with the auth service's token endpoint, like the users in
 * config.ts, as stored hashes only (bcrypt cost 6, BCRYPT_COST; real
 * secrets: `generateClientSecret()` and the default cost).
 */
export const ORDERS_CLIENT_ID = 'svc:orders';
export const BATCH_CLIENT_ID = 'svc:batch';

/**
 * The orders service's own client secret, which it is configured with to
 * exchange users' tokens. A demo value kept in the source; a real service
 * reads it from its secret store. The batch job's secret is in the client
 * script (batch-demo-client-secret), as alice's password is.
 */
export const ORDERS_CLIENT_SECRET = 'orders-demo-client-secret';

/** Permission the batch job's service token carries: the nightly report of orders. */
export const ORDERS_REPORT = 'orders:report';

export const SERVICE_CLIENTS: readonly ServiceClient[] = [
  {
    // Calls billing on behalf of the user: passes on billing:read, to billing only; receives nothing of its own.
    id: ORDERS_CLIENT_ID,
    secretHash: '$2b$06$1iMh4W5tr251xfwXlJJ2w.Opx0UUAcVnPlEDNaOxw60kPil1WhNZi',
    permissions: [],
    delegate: ['billing:read'],
    audiences: [BILLING_AUDIENCE],
  },
  {
    // Calls orders with its own service token (client credentials): no user, no delegation.
    id: BATCH_CLIENT_ID,
    secretHash: '$2b$06$fHvPBFb62U2j8g.bAr1OOucMUfd7x6.Utn9NuzzFM69hPsp1mVfTS',
    permissions: [ORDERS_REPORT],
  },
];
