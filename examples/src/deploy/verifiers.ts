import { createOrdersService } from '../services/orders.js';
import { createBillingService } from '../services/billing.js';
import { createCatalogService } from '../services/catalog.js';
import type { VerifierOptions } from '../services/verifier-options.js';
import { listen, listenFastify, type RunningService, type StartVerifier, type VerifierName } from './deployment.js';

/** Starts one verifying service on a free port of 127.0.0.1 (both deployments use this). */
export async function startVerifier(name: VerifierName, options: VerifierOptions): Promise<RunningService> {
  switch (name) {
    case 'orders':
      return listen(createOrdersService(options));
    case 'billing':
      return listen(createBillingService(options).callback());
    case 'catalog':
      return listenFastify(await createCatalogService(options));
    case 'shipping':
      return (await loadShipping()).startShippingService(options);
  }
}

// The Nest service compiles on its own, with legacy decorators (tsconfig.nest.json). A literal
// import would pull it into this program, compiled with TC39 decorators, where Nest's parameter
// decorators are an error: so its path is a plain string, and both sides name its type, StartVerifier.
const SHIPPING_MODULE: string = '../services/shipping.js';
const loadShipping = () => import(SHIPPING_MODULE) as Promise<{ startShippingService: StartVerifier }>;
