import { SetMetadata } from '@nestjs/common';
import { noteRefreshHandler } from './scope.interceptor.js';
import { compileRequirement, isRule, type CompiledRequirement, type PermissionRequirement, type RegisteredPermission, type Rule } from '@apojwt/core';

/** Metadata keys the guard reads through Nest's Reflector. */
export const TOKEN_REQUIRED_KEY = 'apojwt:token-required';
export const PERMISSIONS_KEY = 'apojwt:permissions';
export const REFRESH_KEY = 'apojwt:refresh';
export const PUBLIC_KEY = 'apojwt:public';

/** On a controller or a method: a valid access token (401 otherwise). */
export function TokenRequired(): ClassDecorator & MethodDecorator {
  return SetMetadata(TOKEN_REQUIRED_KEY, true);
}

/**
 * On a controller or a method: a valid access token (401) holding the
 * permission(s) (403): a name, an array (all of them), `{ all: [...] }` or
 * `{ any: [...] }`, typed by your `Register` (a misspelt name does not
 * compile) and validated here, when the class is defined; or a rule
 * (`definePolicy`, `allOf`, `anyOf`, `not` from core), given the request.
 *
 * Each `@PermissionRequired` is one more requirement: two on one method (or
 * one on the class and one on the method) must both be met. SetMetadata
 * would let the second replace the first, so this decorator appends.
 */
export function PermissionRequired<P extends string = RegisteredPermission>(requirement: PermissionRequirement<NoInfer<P>> | Rule): ClassDecorator & MethodDecorator {
  const compiled = isRule(requirement) ? requirement : compileRequirement(requirement as PermissionRequirement<RegisteredPermission>);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    // getMetadata, not getOwnMetadata: a subclass adds to the requirements of the controller it extends.
    const earlier = (Reflect.getMetadata(PERMISSIONS_KEY, holder) as readonly (CompiledRequirement | Rule)[] | undefined) ?? [];
    Reflect.defineMetadata(PERMISSIONS_KEY, Object.freeze([...earlier, compiled]), holder);
  };
}

/**
 * On a controller or a method: a valid, unused refresh token from its cookie
 * (consumed: single use). Tokens the handler issues with `createToken`
 * continue the consumed token's family.
 */
export function Refresh(): ClassDecorator & MethodDecorator {
  const mark = SetMetadata(REFRESH_KEY, true) as (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => unknown;
  return ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    // The module then registers the interceptor that runs the handler in the consumed token's family.
    noteRefreshHandler();
    return mark(target, key, descriptor);
  }) as ClassDecorator & MethodDecorator;
}

/**
 * No check. On a method it lifts the controller's requirements for that
 * method (the one way to do so); on a controller it marks the methods
 * without a requirement of their own as public. With `requireDecision` on,
 * every handler needs a requirement or `@Public()`.
 */
export function Public(): ClassDecorator & MethodDecorator {
  return SetMetadata(PUBLIC_KEY, true);
}
