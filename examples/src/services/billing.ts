import Koa, { type Context } from 'koa';
import { createApoJwt } from '@apojwt/koa';
import { BILLING_AUDIENCE, ISSUER } from '../config.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

/** The billing service (Koa): like orders, keys from the auth service's JWKS, permissions by decorators. */
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
  }

  const controller = new BillingController();
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/invoices') return controller.invoices(ctx);
    ctx.status = 404;
  });
  return app;
}
