import express, { type Request, type Response } from 'express';
import { createApoJwt, refreshCookieHeader, type PermissionGrant } from '@apojwt/express';
import { shared, users } from './config.js';

/**
 * The orders service, on Express. It also issues tokens (login, refresh).
 * Two services share this demo's process, so each uses decorators bound to
 * its own instance (`apo.decorators`); a service alone in its process can
 * import `permissionRequired` directly (see koa-service.ts).
 */
export function createOrdersService() {
  const apo = createApoJwt({
    ...shared,
    template: 'express',
    refresh: { refreshSecret: 'demo-only-refresh-secret-0123456789-abcdef' },
  });
  const { permissionRequired, tokenRequired } = apo.decorators;

  class OrdersController {
    private readonly orders = [{ id: 1, item: 'coffee beans' }];

    @permissionRequired('orders:read')
    list(req: Request, res: Response) {
      res.json({ user: req.tokenSubject, orders: this.orders });
    }

    @permissionRequired('orders:write')
    create(req: Request, res: Response) {
      const order = { id: this.orders.length + 1, item: String(req.body?.item ?? 'unknown') };
      this.orders.push(order);
      res.status(201).json(order);
    }

    @tokenRequired()
    whoAmI(req: Request, res: Response) {
      res.json({ sub: req.tokenSubject, permissions: req.tokenPermissions });
    }
  }

  const permissionsOf = (user: string) => (users[user] ?? []) as PermissionGrant<string>[];
  const controller = new OrdersController();
  const app = express();
  app.use(express.json());

  // Login without passwords, for the demo: a real service checks credentials first.
  app.post('/auth/login', (req, res) => {
    const user = String(req.body?.username ?? '');
    if (!(user in users)) return void res.status(401).json({ error: 'unknown user' });
    const pair = apo.createToken({ sub: user, permissions: permissionsOf(user), refreshData: { user } });
    res.set('Set-Cookie', refreshCookieHeader(pair.refreshToken, apo.refreshExpPeriod ?? 86_400));
    res.json({ accessToken: pair.accessToken, tokenType: 'Bearer', expiresIn: apo.expPeriod });
  });
  // Reads the refresh cookie, rotates it, sets the new one; permissions are looked up again.
  app.post('/auth/refresh', apo.refreshEndpoint({ issue: (claims) => ({ sub: claims.sub, permissions: permissionsOf(claims.sub) }) }));

  app.get('/orders', (req, res) => controller.list(req, res));
  app.post('/orders', (req, res) => controller.create(req, res));
  app.get('/me', (req, res) => controller.whoAmI(req, res));
  return app;
}
