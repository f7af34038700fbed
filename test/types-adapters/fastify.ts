// Type-level tests for the Fastify adapter, under the Register declared in
// adapters.ts (one compilation: tsconfig.types-adapters.json). A wrong
// `@ts-expect-error`, or a missing one, fails the build.
import Fastify, { type FastifyReply } from 'fastify';
import {
  apojwtPlugin,
  createApoJwt,
  fastifyGuard,
  permissionRequired,
  toPreHandler,
  type AccessClaims,
  type GuardedFastifyRequest,
  type PermissionGrant,
  type RefreshClaims,
} from '@apojwt/fastify';
import { authHandlers } from '@apojwt/fastify/auth';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

type Perm = 'orders:read' | 'orders:write' | 'admin';
type Claims = AccessClaims<PermissionGrant<Perm>, { tenant: string }>;

export async function fastifyChecks(): Promise<void> {
  const apo = createApoJwt({ secret: 's'.repeat(32), iss: 'i', serverAudience: 'a', template: 'fastify' });
  const app = Fastify();
  await app.register(apojwtPlugin, { apo });
  // @ts-expect-error the plugin needs the instance
  await app.register(apojwtPlugin, {});

  app.get('/orders', { preHandler: app.apojwt.permissionRequired('orders:read') }, async (req) => {
    // Outside a guarded method the values may be absent (null before a check).
    assertType<Equal<typeof req.tokenData, { tenant: string } | null | undefined>>();
    assertType<Equal<typeof req.tokenSubject, string | null | undefined>>();
    assertType<Equal<typeof req.tokenPermissions, readonly PermissionGrant<Perm>[] | null | undefined>>();
    assertType<Equal<typeof req.tokenClaims, Claims | null | undefined>>();
    assertType<Equal<typeof req.refreshData, { device: string } | null | undefined>>();
    assertType<Equal<typeof req.refreshClaims, RefreshClaims<{ device: string }> | null | undefined>>();
    return { tenant: req.tokenData?.tenant };
  });

  const guard = fastifyGuard(apo);
  app.get('/any', { preHandler: [guard.permissionRequired({ any: ['orders:write', 'admin'] }), guard.tokenRequired()] }, async () => ({}));
  app.get<{ Params: { id: string } }>('/orders/:id', { preHandler: guard.permissionRequired('orders:read') }, async (req) => ({ id: req.params.id }));
  app.addHook('preHandler', guard.refresh());
  app.get('/core', { preHandler: toPreHandler(apo.permissionRequired('orders:write')) }, async () => ({}));

  // @ts-expect-error a misspelt Registered permission in a preHandler hook (the plugin's)
  app.get('/typo', { preHandler: app.apojwt.permissionRequired('orders:reed') }, async () => ({}));
  // @ts-expect-error a misspelt Registered permission in a preHandler hook (fastifyGuard)
  app.get('/typo2', { preHandler: guard.permissionRequired('ordres:read') }, async () => ({}));
  // @ts-expect-error a misspelt Registered permission, wrapping the instance's middleware
  app.get('/typo3', { preHandler: toPreHandler(apo.permissionRequired('orders:raed')) }, async () => ({}));
  // @ts-expect-error a typo inside an any-of list
  guard.permissionRequired({ any: ['orders:read', 'amdin'] });

  class OrdersController {
    @permissionRequired('orders:read')
    async list(request: GuardedFastifyRequest, _reply: FastifyReply) {
      // Inside a guarded method: no `!`, no null checks.
      assertType<Equal<typeof request.tokenSubject, string>>();
      assertType<Equal<typeof request.tokenData, { tenant: string }>>();
      assertType<Equal<typeof request.tokenPermissions, readonly PermissionGrant<Perm>[]>>();
      assertType<Equal<typeof request.tokenClaims, Claims>>();
      return { sub: request.tokenSubject.toUpperCase(), tenant: request.tokenData.tenant };
    }

    // @ts-expect-error a misspelt Registered permission on a decorator
    @permissionRequired('orders:wirte')
    async write(_request: GuardedFastifyRequest) {
      return {};
    }
  }
  const orders = new OrdersController();
  app.get('/list', (req, reply) => orders.list(req as GuardedFastifyRequest, reply));
  // @ts-expect-error a plain request is not known to be guarded: the route states it
  app.get('/list2', (req, reply) => orders.list(req, reply));

  const auth = authHandlers(apo);
  app.post('/auth/login', auth.login);
  app.post('/auth/logout', auth.logout);
}
