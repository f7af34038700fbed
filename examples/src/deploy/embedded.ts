import { MemoryRevocationStore, MemoryRotationStore } from '@apojwt/express';
import { demoClock } from '../clock.js';
import { createAuthService } from '../services/auth.js';
import { createOrdersService } from '../services/orders.js';
import { createBillingService } from '../services/billing.js';
import { closeServer, listen, type Deployment } from './deployment.js';

/**
 * The default: the three services in this one process, on memory stores.
 * They share one revocation store *object*, which is why a logout on the auth
 * service is seen by orders and billing. That sharing is only possible inside
 * one process: separate processes (or machines) need a shared store, Redis
 * (see separate.ts).
 */
export async function startEmbedded(): Promise<Deployment> {
  const clock = demoClock();
  const revocationStore = new MemoryRevocationStore();
  const authService = createAuthService({ now: clock.now, revocationStore, rotationStore: new MemoryRotationStore() });
  const auth = await listen(authService.app);
  const verifier = { authUrl: auth.url, now: clock.now, revocationStore };
  const orders = await listen(createOrdersService(verifier));
  const billing = await listen(createBillingService(verifier).callback());
  return {
    description: 'embedded: one process, memory stores (one revocation store shared in memory)',
    urls: { auth: auth.url, orders: orders.url, billing: billing.url },
    advanceClock: async (ms) => clock.advance(ms),
    rotateKey: async () => authService.rotateKey(),
    retireKey: async (kid) => authService.retireKey(kid),
    settle: async () => undefined,
    close: async () => {
      await Promise.all([auth, orders, billing].map(({ server }) => closeServer(server)));
    },
  };
}
