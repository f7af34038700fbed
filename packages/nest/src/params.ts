import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import * as core from '@apojwt/core';
import type { InjectedValues } from '@apojwt/core';

type Key = keyof InjectedValues;

/**
 * A handler parameter that receives a verified value. Two things in one:
 *  - a Nest parameter decorator reading what ApoJwtGuard put on the request;
 *  - core's parameter marker, so core's own decorators on the same method
 *    (`@permissionRequired` from '@apojwt/core', which check inside the
 *    handler call, after Nest has read the parameters) fill the position
 *    with their verified value.
 * Undefined when no check of either ran for the request.
 */
function valueParameter(key: Key, coreMarker: () => core.ParameterMarker): () => ParameterDecorator {
  const fromRequest = createParamDecorator(
    (_data: unknown, context: ExecutionContext): unknown => {
      if (context.getType() !== 'http') return undefined;
      return context.switchToHttp().getRequest<Partial<Record<Key, unknown>>>()[key];
    },
    [coreMarker() as ParameterDecorator],
  );
  return () => fromRequest();
}

/** The access token's `data` (typed by your Register's `data`). */
export const TokenData = valueParameter('tokenData', core.TokenData);
/** The access token's `sub`. */
export const TokenSubject = valueParameter('tokenSubject', core.TokenSubject);
/** The access token's `perms`. */
export const TokenPermissions = valueParameter('tokenPermissions', core.TokenPermissions);
/** Every verified claim of the access token. */
export const TokenClaims = valueParameter('tokenClaims', core.TokenClaims);
/** The refresh token's `data`, in a `@Refresh()` handler. */
export const RefreshData = valueParameter('refreshData', core.RefreshData);
