import { createRedisStores } from '@apojwt/redis';
import { demoClock } from '../clock.js';
import { createAuthService } from '../services/auth.js';
import { addAccounts, type AccountsPart } from '../accounts/service.js';
import { listen, VERIFIERS, type RunningService, type ServiceName, type VerifierName } from './deployment.js';
import { startVerifier } from './verifiers.js';
import type { ControlRequest } from './separate.js';

/**
 * One service in its own process (started by separate.ts with an IPC
 * channel): `node service-process.js auth|orders|billing|catalog|shipping`,
 * with REDIS_URL, DEMO_PREFIX and, for the verifiers, AUTH_URL (for
 * orders, BILLING_URL too) in the environment. Reports { type: 'ready', url } once serving, then obeys the
 * demo's control messages (clock, key rotation). Exits when the demo closes
 * the channel (or goes away).
 */
const name = process.argv[2] as ServiceName;
const redisUrl = process.env['REDIS_URL'];
const isVerifier = (candidate: string): candidate is VerifierName => (VERIFIERS as readonly string[]).includes(candidate);
if (!redisUrl || !(name === 'auth' || isVerifier(name)) || !process.send) {
  console.error(`usage (from the demo): REDIS_URL=… node service-process.js auth|${VERIFIERS.join('|')}`);
  process.exit(2);
}

const clock = demoClock();
const stores = createRedisStores({ redis: redisUrl, prefix: process.env['DEMO_PREFIX'] ?? 'apojwt-demo:' });
try {
  await stores.ready(5_000); // the revocation mirror is in sync: safe to serve
} catch (error) {
  console.error(`${name}: Redis at ${redisUrl} is not answering (${String(error)})`);
  await stores.close();
  process.exit(1);
}

const authService = name === 'auth' ? createAuthService({ now: clock.now, revocationStore: stores.revocationStore, rotationStore: stores.rotationStore }) : undefined;
let service: RunningService;
let accounts: AccountsPart | undefined;
try {
  if (authService) accounts = await addAccounts(authService.app, authService.apo, clock.now, process.env['DATABASE_URL']);
  service = authService
    ? await listen(authService.app)
    : await startVerifier(name as VerifierName, { authUrl: process.env['AUTH_URL'] ?? '', now: clock.now, revocationStore: stores.revocationStore, billingUrl: process.env['BILLING_URL'] });
} catch (error) {
  console.error(`${name}: the service did not start (${String(error)})`);
  await accounts?.close();
  await stores.close();
  process.exit(1);
}

async function shutdown(): Promise<void> {
  await service.close();
  await accounts?.close();
  await stores.close();
}

process.on('message', async (request: ControlRequest) => {
  let result: unknown;
  try {
    if (request.op === 'advanceClock') result = clock.advance(request.ms);
    else if (request.op === 'rotateKey' && authService) result = authService.rotateKey();
    else if (request.op === 'retireKey' && authService) result = authService.retireKey(request.kid);
    else if (request.op === 'accounts' && accounts) result = accounts.description;
    else if (request.op === 'readMail' && accounts) result = accounts.readMail(request.to);
    // Messages already received (the revocation published over Redis) are handled before a timer fires.
    else if (request.op === 'settle') result = await new Promise((resolve) => setTimeout(resolve, 10));
    else throw new Error(`${name} cannot ${request.op}`);
    process.send?.({ id: request.id, result });
  } catch (error) {
    process.send?.({ id: request.id, error: String(error) });
  }
});
process.on('disconnect', () => {
  void shutdown()
    .catch(() => undefined)
    .finally(() => process.exit(0));
});
process.send!({ type: 'ready', url: service.url });
