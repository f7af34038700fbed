import { member, note, step } from './client.js';
import { BATCH_CLIENT_ID, ORDERS_REPORT } from './service-clients.js';
import type { ServiceName } from './deploy/deployment.js';

/**
 * The steps between services: orders calling billing on behalf of alice with
 * an exchanged token (RFC 8693), and a batch job calling orders with its own
 * service token (client credentials, RFC 6749 §4.4). Played by the demo
 * script with a fresh access token of alice's.
 */
export async function betweenServices(urls: Readonly<Record<ServiceName, string>>, aliceToken: string): Promise<void> {
  const { auth, orders, billing } = urls;
  const bearer = { authorization: `Bearer ${aliceToken}` };

  note('🔁 Between services: orders calls billing for alice with an exchanged token; a batch job calls orders with its own token.');
  const first = await step(
    "Alice asks orders for her order's invoice: orders exchanges her token (RFC 8693) for a billing-only one naming orders as the actor, and calls billing with it",
    `${orders}/orders/1/invoice`,
    { headers: bearer },
    { status: 200, check: delegatedInvoice },
  );
  const exchangedId = member(member(first.body, 'billing'), 'tokenId');
  await step(
    'Again: orders reuses the exchanged token it keeps for alice (billing sees the same token id: no second exchange)',
    `${orders}/orders/1/invoice`,
    { headers: bearer },
    { status: 200, check: (body) => delegatedInvoice(body) ?? (member(member(body, 'billing'), 'tokenId') === exchangedId ? undefined : 'expected the cached exchanged token') },
  );
  await step(
    "Alice calls billing's invoice route herself → 403: the route requires the actor svc:orders (actedBy), not only billing:read",
    `${billing}/orders/1/invoice`,
    { headers: bearer },
    { status: 403, error: 'ERR_PERMISSION_DENIED', challenge: 'scope="billing:read"' },
  );
  await step(
    "Bob's invoice through orders → 403: the order rule denies before any exchange",
    `${orders}/orders/2/invoice`,
    { headers: bearer },
    { status: 403, error: 'ERR_PERMISSION_DENIED' },
  );

  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const batchBasic = (secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(BATCH_CLIENT_ID)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  const grant = new URLSearchParams({ grant_type: 'client_credentials', scope: ORDERS_REPORT }).toString();
  await step(
    'The batch job with a wrong client secret → 401 invalid_client (RFC 6749 §5.2)',
    `${auth}/auth/token`,
    { method: 'POST', headers: { ...form, authorization: batchBasic('guess') }, body: grant },
    { status: 401, error: 'invalid_client', challenge: 'Basic realm=' },
  );
  const issued = await step(
    `The batch job gets a service token (client credentials, ${BATCH_CLIENT_ID}, scope ${ORDERS_REPORT}): its own identity, no user`,
    `${auth}/auth/token`,
    { method: 'POST', headers: { ...form, authorization: batchBasic('batch-demo-client-secret-not-for-production') }, body: grant },
    {
      status: 200,
      check: (body) => (member(body, 'scope') === ORDERS_REPORT && member(body, 'token_type') === 'Bearer' ? undefined : `expected a Bearer token with scope ${ORDERS_REPORT}`),
    },
  );
  const batchToken = String(member(issued.body, 'access_token'));
  await step(
    "The batch job calls orders' report with its service token (allOf('orders:report', notDelegated()))",
    `${orders}/orders/report`,
    { headers: { authorization: `Bearer ${batchToken}` } },
    { status: 200, check: (body) => (member(body, 'caller') === BATCH_CLIENT_ID ? undefined : `expected the caller ${BATCH_CLIENT_ID}`) },
  );
  await step(
    'Alice on the report → 403: she holds no orders:report',
    `${orders}/orders/report`,
    { headers: bearer },
    { status: 403, error: 'ERR_PERMISSION_DENIED', challenge: 'scope="orders:report"' },
  );
}

/** What billing saw, as orders relays it: the user alice, the actor chain [svc:orders], a token for billing alone holding billing:read only. */
function delegatedInvoice(body: unknown): string | undefined {
  const seen = member(body, 'billing');
  if (member(seen, 'user') !== 'alice') return 'expected billing to see the user alice';
  if (JSON.stringify(member(seen, 'actors')) !== JSON.stringify(['svc:orders'])) return 'expected billing to see the actor chain [svc:orders]';
  if (JSON.stringify(member(seen, 'audience')) !== JSON.stringify(['billing'])) return 'expected a token for billing only';
  if (JSON.stringify(member(seen, 'perms')) !== JSON.stringify(['billing:read'])) return 'expected the token narrowed to billing:read';
  if (typeof member(seen, 'tokenId') !== 'string') return 'expected the id of the token billing saw';
  return undefined;
}
