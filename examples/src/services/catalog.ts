import Fastify, { type FastifyReply } from 'fastify';
import { apojwtPlugin, createApoJwt, type GuardedFastifyRequest } from '@apojwt/fastify';
import { CATALOG_AUDIENCE, ISSUER } from '../config.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

interface NewProduct {
  Body: { name?: unknown };
}

/**
 * The catalog service (Fastify): like orders, no key of its own (the auth
 * service's JWKS), and permissions by decorators on class handlers. The plugin
 * declares the request values (`request.tokenSubject` …) once, for every route.
 */
export async function createCatalogService(options: VerifierOptions) {
  const apo = createApoJwt({
    template: 'fastify',
    algorithm: 'ES256',
    jwksUri: jwksUriOf(options),
    iss: ISSUER,
    serverAudience: CATALOG_AUDIENCE,
    now: options.now,
    revocationStore: options.revocationStore,
  });
  const { permissionRequired } = apo.decorators;

  class CatalogController {
    private readonly products = [{ sku: 'tea-1', name: 'green tea' }];

    @permissionRequired('catalog:read')
    async list(request: GuardedFastifyRequest, _reply: FastifyReply) {
      return { service: 'catalog', user: request.tokenSubject, products: this.products };
    }

    // A refusal is answered through the reply and the method does not run.
    @permissionRequired('catalog:write')
    async add(request: GuardedFastifyRequest<NewProduct>, reply: FastifyReply) {
      const product = { sku: `sku-${this.products.length + 1}`, name: String(request.body.name ?? 'unnamed') };
      this.products.push(product);
      return reply.code(201).send(product);
    }
  }

  const controller = new CatalogController();
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  app.get('/products', (request, reply) => controller.list(request as GuardedFastifyRequest, reply));
  app.post<NewProduct>('/products', (request, reply) => controller.add(request as GuardedFastifyRequest<NewProduct>, reply));
  return app;
}
