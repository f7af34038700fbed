import { exchangingFetch } from '@apojwt/express';
import { BILLING_AUDIENCE } from '../config.js';
import { ORDERS_CLIENT_ID, ORDERS_CLIENT_SECRET } from '../service-clients.js';
import { tokenUrlOf, type VerifierOptions } from './verifier-options.js';

/**
 * How orders calls billing on behalf of the user (RFC 8693): `exchangingFetch`
 * trades the user's token at the auth service's token endpoint for one bound
 * to billing, narrowed to what orders may pass on (billing:read) and naming
 * orders in `act`, and keeps it per user token until shortly before it
 * expires. The user's own token never leaves orders.
 */
export function billingForTheUser(options: VerifierOptions) {
  const billingUrl = options.billingUrl;
  if (billingUrl === undefined) throw new TypeError('the orders service needs billingUrl: it calls billing on behalf of the user');
  const toBilling = exchangingFetch({
    tokenUrl: tokenUrlOf(options),
    clientId: ORDERS_CLIENT_ID,
    clientSecret: ORDERS_CLIENT_SECRET,
    audience: BILLING_AUDIENCE,
    now: options.now,
  });
  return {
    async invoiceOf(userToken: string, orderId: string): Promise<{ status: number; body: unknown }> {
      const response = await toBilling(userToken, new URL(`/orders/${encodeURIComponent(orderId)}/invoice`, billingUrl));
      return { status: response.status, body: (await response.json()) as unknown };
    },
  };
}
