import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * While a refresh handler runs, the family of the refresh token it consumed
 * is kept here, so `createToken` inside that handler continues the family
 * (and theft detection keeps reaching every descendant) without the handler
 * passing it along.
 */
const currentFamily = new AsyncLocalStorage<string>();

export function runInRefreshFamily<T>(family: string, fn: () => T): T {
  return currentFamily.run(family, fn);
}

export function refreshFamilyInScope(): string | undefined {
  return currentFamily.getStore();
}
