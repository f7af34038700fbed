import { ApoJwtConfigError } from '../errors.js';
import { compileRequirement, type PermissionRequirement } from '../permissions.js';
import { isRule, type Rule } from '../policy.js';
import type { RegisteredPermission } from '../register.js';
import type { GuardEngine } from '../engine.js';
import type { Check } from './checks.js';
import { guard } from './guard.js';
import { assertRefreshEnabled } from './refresh-enabled.js';
import { marksFor } from './params.js';
import { knownKeys } from '../validate.js';

/**
 * One decorator value that works under both TypeScript decorator standards,
 * told apart at run time by its arguments:
 *  - TC39 (TypeScript ≥ 5 default): (value, context) with `context.kind`;
 *  - legacy `experimentalDecorators`: (target, key, descriptor) on a method,
 *    (constructor) on a class.
 * On a class it guards every method of the class's prototype.
 */
export interface ApoDecorator {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <F extends (this: any, ...args: any[]) => any>(value: F, context: ClassMethodDecoratorContext): F;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <C extends abstract new (...args: any[]) => any>(value: C, context: ClassDecoratorContext<C>): void;
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  (constructor: Function): void;
}

export interface DecoratorOptions {
  /** The instance to check with; default: the last one `createApoJwt` made, resolved per request. */
  apo?: GuardEngine;
}

/** Requires a valid access token (401 otherwise). */
export function tokenRequired(options?: DecoratorOptions): ApoDecorator {
  return decorator({ kind: 'token', requirement: undefined, apo: instanceOption(options) });
}

/**
 * Requires a valid access token (401) holding the permission(s) (403):
 * a name, an array (all of them), `{ all: [...] }` or `{ any: [...] }`; or
 * satisfying a rule (`definePolicy`, `allOf`, `anyOf`, `not`), which is given
 * the method's arguments and the request. The requirement is validated here,
 * when the class is defined.
 */
export function permissionRequired<P extends string = RegisteredPermission>(
  // NoInfer: inferring P from the argument would accept any name, typos included.
  requirement: PermissionRequirement<NoInfer<P>> | Rule,
  options?: DecoratorOptions,
): ApoDecorator {
  return decorator({ kind: 'permission', requirement: isRule(requirement) ? requirement : compileRequirement(requirement), apo: instanceOption(options) });
}

/**
 * Requires a valid, unused refresh token (consumed: single use) and runs the
 * handler so that `createToken` continues the token's refresh family.
 */
export function refresh(options?: DecoratorOptions): ApoDecorator {
  const apo = instanceOption(options);
  if (apo !== undefined) assertRefreshEnabled(apo);
  return decorator({ kind: 'refresh', requirement: undefined, apo });
}

function instanceOption(options: DecoratorOptions | undefined): GuardEngine | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('decorator options must be an object');
  // A misspelt `apo` would silently check with the default instance instead.
  knownKeys('decorator', options, ['apo']);
  const apo = options.apo;
  if (apo !== undefined && (apo === null || typeof apo !== 'object' || typeof apo.authorize !== 'function')) {
    throw new ApoJwtConfigError('decorator option apo must be an ApoJwt instance');
  }
  return apo;
}

function decorator(check: Check): ApoDecorator {
  const checks = Object.freeze([check]);
  return function apply(target: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    if (isTc39Context(context)) {
      if (context.kind === 'method' && typeof target === 'function') return guard(target as never, checks, undefined);
      if (context.kind === 'class' && typeof target === 'function') return guardClass(target.prototype, checks, false);
      throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
    }
    if (descriptor !== undefined && typeof descriptor.value === 'function' && (typeof context === 'string' || typeof context === 'symbol')) {
      return { ...descriptor, value: guard(descriptor.value, checks, marksFor(target as object, context)) };
    }
    if (typeof target === 'function' && context === undefined) return guardClass(target.prototype, checks, true);
    throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
  } as ApoDecorator;
}

function isTc39Context(context: unknown): context is { kind: string } {
  return typeof context === 'object' && context !== null && typeof (context as { kind?: unknown }).kind === 'string';
}

/** Guards every method the class itself defines (not inherited ones, not accessors). */
function guardClass(prototype: object, checks: readonly Check[], legacy: boolean): undefined {
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
    const marks = legacy ? marksFor(prototype, key) : undefined;
    Object.defineProperty(prototype, key, { ...descriptor, value: guard(descriptor.value, checks, marks) });
  }
  return undefined;
}

/** Decorators bound to one instance: `apo.decorators.permissionRequired('orders:read')`. */
export interface BoundDecorators<P extends string> {
  tokenRequired(): ApoDecorator;
  permissionRequired(requirement: PermissionRequirement<P> | Rule): ApoDecorator;
  refresh(): ApoDecorator;
}

export function decoratorsFor<P extends string>(apo: GuardEngine): BoundDecorators<P> {
  return Object.freeze({
    tokenRequired: () => tokenRequired({ apo }),
    permissionRequired: (requirement: PermissionRequirement<P> | Rule) => permissionRequired(requirement, { apo }),
    refresh: () => refresh({ apo }),
  });
}
