import Koa, { type Context } from 'koa';
import { actedBy, actorChain, allOf, createApoJwt } from '@apojwt/koa';
import { BILLING_AUDIENCE, ISSUER } from '../config.js';
import { ORDERS_CLIENT_ID } from '../service-clients.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

/**
 * The billing service (Koa): like orders, keys from the auth service's JWKS,
 * permissions by decorators. An order's invoice is served only to the orders
 * service calling for the user (an exchanged token: `sub` the user, `act`
 * orders), never to the user directly.
 */
export function createBillingService(options: VerifierOptions) {
  const apo = createApoJwt({
    template: 'koa',
    algorithm: 'ES256',
    jwksUri: jwksUriOf(options),
    iss: ISSUER,
    serverAudience: BILLING_AUDIENCE,
    now: options.now,
    revocationStore: options.revocationStore,
  });
  const { permissionRequired } = apo.decorators;

  class BillingController {
    @permissionRequired({ any: ['billing:read', 'billing:admin'] })
    invoices(ctx: Context) {
      ctx.body = { service: 'billing', user: ctx.state.tokenSubject, invoices: [{ id: 'inv-1', total: 42 }] };
    }

    // The user's billing:read, and the orders service as the actor (the outermost act of the exchanged token).
    @permissionRequired(allOf('billing:read', actedBy(ORDERS_CLIENT_ID)))
    orderInvoice(ctx: Context, orderId: number) {
      const claims = ctx.state.tokenClaims;
      ctx.body = {
        service: 'billing',
        user: claims?.sub,
        actors: actorChain(claims?.act),
        audience: claims?.aud,
        perms: claims?.perms,
        tokenId: claims?.jti,
        invoice: { id: `inv-${orderId}`, order: orderId, total: 42 },
      };
    }
  }

  const controller = new BillingController();
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/invoices') return controller.invoices(ctx);
    const orderInvoice = ctx.method === 'GET' ? /^\/orders\/(\d{1,9})\/invoice$/.exec(ctx.path) : null;
    if (orderInvoice) return controller.orderInvoice(ctx, Number(orderInvoice[1]));
    ctx.status = 404;
  });
  return app;
}
