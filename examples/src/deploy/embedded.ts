import { MemoryRevocationStore, MemoryRotationStore } from '@apojwt/express';
import { demoClock } from '../clock.js';
import { createAuthService } from '../services/auth.js';
import { listen, VERIFIERS, type Deployment, type RunningService, type ServiceName } from './deployment.js';
import { startVerifier } from './verifiers.js';

/**
 * The default: the five services in this one process, on memory stores.
 * They share one revocation store *object*, which is why a logout on the auth
 * service is seen by orders, billing, catalog and shipping. That sharing is
 * only possible inside one process: separate processes (or machines) need a
 * shared store, Redis (see separate.ts).
 */
export async function startEmbedded(): Promise<Deployment> {
  const clock = demoClock();
  const revocationStore = new MemoryRevocationStore();
  const authService = createAuthService({ now: clock.now, revocationStore, rotationStore: new MemoryRotationStore() });
  const running: RunningService[] = [];
  const closeAll = async () => {
    await Promise.all(running.map((service) => service.close()));
  };
  try {
    const auth = await listen(authService.app);
    running.push(auth);
    const verifier = { authUrl: auth.url, now: clock.now, revocationStore };
    const verifiers = await Promise.all(
      VERIFIERS.map(async (name) => {
        const service = await startVerifier(name, verifier);
        running.push(service);
        return [name, service.url] as const;
      }),
    );
    return {
      description: 'embedded: one process, memory stores (one revocation store shared in memory)',
      urls: { auth: auth.url, ...Object.fromEntries(verifiers) } as Record<ServiceName, string>,
      advanceClock: async (ms) => clock.advance(ms),
      rotateKey: async () => authService.rotateKey(),
      retireKey: async (kid) => authService.retireKey(kid),
      settle: async () => undefined,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
