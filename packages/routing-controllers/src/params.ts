import { createParamDecorator } from 'routing-controllers';
import {
  RefreshData as coreRefreshData,
  TokenClaims as coreTokenClaims,
  TokenData as coreTokenData,
  TokenPermissions as coreTokenPermissions,
  TokenSubject as coreTokenSubject,
  type ParameterMarker,
} from '@apojwt/core';

/**
 * Core's parameter markers, made to hold their position among
 * routing-controllers' own parameter decorators.
 *
 * routing-controllers calls an action with one argument per parameter *it*
 * knows of, packed in index order: with `(@TokenSubject() sub, @Param('id') id)`
 * and core's marker alone it would call `(id)`, and the subject would then
 * overwrite the id. Each decorator here also records a routing-controllers
 * parameter that resolves to nothing, so the action is called `(undefined, id)`
 * and core's guard puts the verified value in its place once every check passed.
 */
function holdingPosition(mark: () => ParameterMarker): () => ParameterMarker {
  return () => {
    const marker = mark();
    const slot = createParamDecorator({ value: () => undefined }) as ParameterMarker;
    return (target, propertyKey, index) => {
      marker(target, propertyKey, index);
      slot(target, propertyKey, index);
    };
  };
}

/** The access token's `data`. */
export const TokenData = holdingPosition(coreTokenData);
/** The access token's `sub`. */
export const TokenSubject = holdingPosition(coreTokenSubject);
/** The access token's `perms`. */
export const TokenPermissions = holdingPosition(coreTokenPermissions);
/** Every verified claim of the access token. */
export const TokenClaims = holdingPosition(coreTokenClaims);
/** The refresh token's `data` (in a `@refresh()` action). */
export const RefreshData = holdingPosition(coreRefreshData);
