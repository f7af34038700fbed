import express, { type Request, type Response } from 'express';
import { allOf, createApoJwt, definePolicy, findBearerToken, isApoJwtError, notDelegated, toHttpErrorResponse } from '@apojwt/express';
import { ISSUER, ORDERS_AUDIENCE } from '../config.js';
import { ORDERS_REPORT } from '../service-clients.js';
import { billingForTheUser } from './billing-client.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

/**
 * The orders service (Express). It holds no key: it fetches the auth
 * service's JWK Set (once, then again only for an unknown kid, at most once
 * per 30 s cooldown) and checks permissions with decorators. It calls
 * billing on behalf of the user (an exchanged token, billing-client.ts), and
 * serves the batch job's report to a service token.
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
  const billing = billingForTheUser(options);

  const ownerOf = (id: unknown): string | undefined => controller.ownerOf(String(id));
  const ownOrder = definePolicy('own-order', ({ claims, request }) => ownerOf((request as Request).params['id']) === claims.sub);

  class OrdersController {
    private readonly orders = [
      { id: 1, item: 'coffee beans', owner: 'alice' },
      { id: 2, item: 'green tea', owner: 'bob' },
    ];

    @permissionRequired('orders:read')
    list(req: Request, res: Response) {
      res.json({ service: 'orders', user: req.tokenSubject, orders: this.orders });
    }

    // A rule about the resource: orders:read, and the order is the caller's own.
    @permissionRequired(allOf('orders:read', ownOrder))
    show(req: Request, res: Response) {
      res.json(this.orders.find((order) => String(order.id) === req.params['id']));
    }

    ownerOf(id: string): string | undefined {
      return this.orders.find((order) => String(order.id) === id)?.owner;
    }

    // Orders calls billing for alice: her token is exchanged for one that only billing accepts, naming orders as the actor.
    @permissionRequired(allOf('orders:read', ownOrder))
    async invoice(req: Request, res: Response) {
      try {
        // The guard verified this token; it is the subject token of the exchange.
        const answer = await billing.invoiceOf(findBearerToken(req.rawHeaders) ?? '', String(req.params['id']));
        res.status(answer.status).json({ service: 'orders', user: req.tokenSubject, order: Number(req.params['id']), billing: answer.body });
      } catch (error) {
        // The exchange refused or the token endpoint down: its typed answer (never a call to billing without the exchanged token).
        if (!isApoJwtError(error)) throw error;
        const { status, headers, body } = toHttpErrorResponse(error);
        res.status(status).set(headers).json(body);
      }
    }

    // The batch job's nightly report: its own service token (client credentials), never a call made for someone else.
    @permissionRequired(allOf(ORDERS_REPORT, notDelegated()))
    report(req: Request, res: Response) {
      res.json({ service: 'orders', caller: req.tokenSubject, orders: this.orders.length, items: this.orders.map((order) => order.item) });
    }

    @permissionRequired('orders:write')
    create(req: Request, res: Response) {
      const order = { id: this.orders.length + 1, item: String(req.body?.item ?? 'unknown'), owner: req.tokenSubject ?? '' };
      this.orders.push(order);
      res.status(201).json(order);
    }
  }

  const controller = new OrdersController();
  const app = express();
  app.use(express.json());
  app.get('/health', apo.publicRoute(), (_req, res) => res.json({ ok: true })); // no token, on purpose
  app.get('/orders', (req, res) => controller.list(req, res));
  app.get('/orders/report', (req, res) => controller.report(req, res));
  app.get('/orders/:id', (req, res) => controller.show(req, res));
  app.get('/orders/:id/invoice', (req, res) => controller.invoice(req, res));
  app.post('/orders', (req, res) => controller.create(req, res));
  return app;
}
