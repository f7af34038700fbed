import express, { type Request, type Response } from 'express';
import { createApoJwt } from '@apojwt/express';
import { ISSUER, ORDERS_AUDIENCE } from '../config.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

/**
 * The orders service (Express). It holds no key: it fetches the auth
 * service's JWK Set (once, then again only for an unknown kid, at most once
 * per 30 s cooldown) and checks permissions with decorators.
 */
export function createOrdersService(options: VerifierOptions) {
  const apo = createApoJwt({
    template: 'express',
    algorithm: 'ES256',
    jwksUri: jwksUriOf(options),
    iss: ISSUER,
    serverAudience: ORDERS_AUDIENCE,
    now: options.now,
    revocationStore: options.revocationStore,
  });
  // Decorators bound to this instance: in the embedded demo five instances share one process.
  const { permissionRequired } = apo.decorators;

  class OrdersController {
    private readonly orders = [{ id: 1, item: 'coffee beans' }];

    @permissionRequired('orders:read')
    list(req: Request, res: Response) {
      res.json({ service: 'orders', user: req.tokenSubject, orders: this.orders });
    }

    @permissionRequired('orders:write')
    create(req: Request, res: Response) {
      const order = { id: this.orders.length + 1, item: String(req.body?.item ?? 'unknown') };
      this.orders.push(order);
      res.status(201).json(order);
    }
  }

  const controller = new OrdersController();
  const app = express();
  app.use(express.json());
  app.get('/orders', (req, res) => controller.list(req, res));
  app.post('/orders', (req, res) => controller.create(req, res));
  return app;
}
