import { MemoryRevocationStore, MemoryRotationStore } from '@apojwt/express';
import { demoClock } from '../clock.js';
import { createAuthService } from '../services/auth.js';
import { addAccounts, type AccountsPart } from '../accounts/service.js';
import { listen, startWaves, type Deployment, type RunningService, type ServiceName, type VerifierName } from './deployment.js';
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
  let accounts: AccountsPart | undefined;
  const closeAll = async () => {
    await Promise.all(running.map((service) => service.close()));
    await accounts?.close();
  };
  try {
    accounts = await addAccounts(authService.app, authService.apo, clock.now, process.env['DATABASE_URL']);
    const auth = await listen(authService.app);
    running.push(auth);
    const verifier = { authUrl: auth.url, now: clock.now, revocationStore };
    const urls: Partial<Record<ServiceName, string>> = { auth: auth.url };
    // Orders calls billing on behalf of the user, so it starts once billing serves (STARTS_AFTER_BILLING).
    for (const wave of startWaves()) {
      // Settled, not Promise.all: when one fails to start, the others have finished starting before all are closed.
      const started = await Promise.allSettled(wave.map((name) => startVerifier(name, { ...verifier, billingUrl: urls.billing })));
      for (const [i, result] of started.entries()) {
        if (result.status !== 'fulfilled') continue;
        running.push(result.value);
        urls[wave[i] as VerifierName] = result.value.url;
      }
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return {
      description: 'embedded: one process, memory stores (one revocation store shared in memory)',
      urls: urls as Record<ServiceName, string>,
      advanceClock: async (ms) => clock.advance(ms),
      rotateKey: async () => authService.rotateKey(),
      retireKey: async (kid) => authService.retireKey(kid),
      accounts: accounts.description,
      readMail: async (to) => accounts?.readMail(to),
      settle: async () => undefined,
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
