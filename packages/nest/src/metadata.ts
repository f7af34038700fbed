import { SetMetadata } from '@nestjs/common';
import { noteRefreshHandler } from './scope.interceptor.js';
import {
  ApoJwtConfigError,
  compileAccept,
  compileRequirement,
  isRule,
  type AcceptedCredentials,
  type AcceptOptions,
  type CompiledRequirement,
  type PermissionRequirement,
  type RegisteredPermission,
  type Rule,
} from '@apojwt/core';

/** Metadata keys the guard reads through Nest's Reflector. */
export const TOKEN_REQUIRED_KEY = 'apojwt:token-required';
export const PERMISSIONS_KEY = 'apojwt:permissions';
export const REFRESH_KEY = 'apojwt:refresh';
export const PUBLIC_KEY = 'apojwt:public';
/** One entry per access decorator: what it accepts beside Bearer tokens, or null for Bearer only (the default). */
export const ACCEPT_KEY = 'apojwt:accept';

/** On a controller or a method: a valid access token (401 otherwise). */
export function TokenRequired(options?: AcceptOptions): ClassDecorator & MethodDecorator {
  const accept = acceptOf(options);
  const required = SetMetadata(TOKEN_REQUIRED_KEY, true);
  return (target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor === undefined) (required as ClassDecorator)(target as never);
    else (required as MethodDecorator)(target, key as string | symbol, descriptor);
    appendAccept((descriptor?.value ?? target) as object, accept);
  };
}

/** `{ accept: ['bearer', 'apiKey'] }`, checked when the class is defined. */
function acceptOf(options: AcceptOptions | undefined): AcceptedCredentials | null {
  if (options === undefined) return null;
  if (options === null || typeof options !== 'object' || Object.keys(options).some((key) => key !== 'accept')) throw new ApoJwtConfigError('decorator options are { accept }');
  return compileAccept(options.accept) ?? null;
}

function appendAccept(holder: object, accept: AcceptedCredentials | null): void {
  const earlier = (Reflect.getMetadata(ACCEPT_KEY, holder) as readonly (AcceptedCredentials | null)[] | undefined) ?? [];
  Reflect.defineMetadata(ACCEPT_KEY, Object.freeze([...earlier, accept]), holder);
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
export function PermissionRequired<P extends string = RegisteredPermission>(
  requirement: PermissionRequirement<NoInfer<P>> | Rule,
  options?: AcceptOptions,
): ClassDecorator & MethodDecorator {
  const compiled = isRule(requirement) ? requirement : compileRequirement(requirement as PermissionRequirement<RegisteredPermission>);
  const accept = acceptOf(options);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    const holder = (descriptor?.value ?? target) as object;
    // getMetadata, not getOwnMetadata: a subclass adds to the requirements of the controller it extends.
    const earlier = (Reflect.getMetadata(PERMISSIONS_KEY, holder) as readonly (CompiledRequirement | Rule)[] | undefined) ?? [];
    Reflect.defineMetadata(PERMISSIONS_KEY, Object.freeze([...earlier, compiled]), holder);
    appendAccept(holder, accept);
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
