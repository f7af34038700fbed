import type { InjectedValues } from '@apojwt/core';

/**
 * The request properties a passed check fills. `apojwtPlugin` declares them
 * once with `decorateRequest` (null until a check passes), so every request
 * object keeps one shape, as Fastify's docs ask of plugins.
 */
export const REQUEST_KEYS = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'] as const;

/** Only what this request's checks produced, so a second guard (a hook, then a decorated handler) adds without erasing. */
export function attachToRequest(request: Record<string, unknown>, values: InjectedValues): void {
  if (values.tokenClaims !== undefined) {
    request['tokenData'] = values.tokenData;
    request['tokenSubject'] = values.tokenSubject;
    request['tokenPermissions'] = values.tokenPermissions;
    request['tokenClaims'] = values.tokenClaims;
  }
  if (values.refreshClaims !== undefined) {
    request['refreshData'] = values.refreshData;
    request['refreshClaims'] = values.refreshClaims;
  }
}
