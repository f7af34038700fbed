import Koa, { type Context } from 'koa';
import { createApoJwt, permissionRequired, tokenRequired } from '@apojwt/koa';
import { shared } from './config.js';

/**
 * The billing service, on Koa. It only verifies tokens issued by the orders
 * service (same secret, issuer and audience). Its decorators are imported
 * directly: they use the instance `createApoJwt` made last, looked up on each
 * request, so this module may define them before the instance exists.
 */
class BillingController {
  @permissionRequired({ any: ['billing:read', 'billing:admin'] })
  invoices(ctx: Context) {
    ctx.body = { user: ctx.state.tokenSubject, invoices: [{ id: 'inv-1', total: 42 }] };
  }

  @tokenRequired()
  whoAmI(ctx: Context) {
    ctx.body = { sub: ctx.state.tokenSubject, permissions: ctx.state.tokenPermissions };
  }
}

export function createBillingService() {
  createApoJwt({ ...shared, template: 'koa' });
  const controller = new BillingController();
  const app = new Koa();
  app.use(async (ctx) => {
    if (ctx.method === 'GET' && ctx.path === '/invoices') return controller.invoices(ctx);
    if (ctx.method === 'GET' && ctx.path === '/me') return controller.whoAmI(ctx);
    ctx.status = 404;
  });
  return app;
}
