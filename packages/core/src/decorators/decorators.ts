import { ApoJwtConfigError } from '../errors.js';
import { compileRequirement, type PermissionRequirement } from '../permissions.js';
import { isRule, type Rule } from '../policy.js';
import type { RegisteredPermission } from '../register.js';
import type { GuardEngine } from '../engine.js';
import { makeCheck, type Check } from './checks.js';
import { guard, isGuarded, replacesClassRequirement } from './guard.js';
import { isPublic, markPublic } from './marks.js';
import { assertRefreshEnabled } from './refresh-enabled.js';
import { marksFor } from './params.js';
import { knownKeys } from '../validate.js';
import { compileAccept, type AcceptedCredentials, type CredentialKind } from '../api-keys/accept.js';
import { wantRequestScope } from '../request-scope.js';

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
  /**
   * On a method: this requirement replaces the class-level ones instead of
   * adding to them (the one explicit way to narrow or widen a class rule).
   */
  replacesClass?: boolean;
  /**
   * The credentials the route accepts: `['bearer']` (the default: Bearer
   * access tokens only), `['bearer', 'apiKey']`, or `['apiKey']`. An API key
   * is checked by the same permission rules as a token.
   */
  accept?: readonly CredentialKind[];
}

/** The options of a bound decorator or of a middleware factory: the instance is already known. */
export interface AcceptOptions {
  accept?: readonly CredentialKind[];
}

/** Requires a valid access token (401 otherwise). */
export function tokenRequired(options?: DecoratorOptions): ApoDecorator {
  const apo = instanceOption(options);
  return decorator(makeCheck('token', undefined, apo, acceptOption(options, apo)), options?.replacesClass === true);
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
  const apo = instanceOption(options);
  return decorator(makeCheck('permission', isRule(requirement) ? requirement : compileRequirement(requirement), apo, acceptOption(options, apo)), options?.replacesClass === true);
}

/**
 * Requires a valid, unused refresh token (consumed: single use) and runs the
 * handler so that `createToken` continues the token's refresh family.
 */
export function refresh(options?: DecoratorOptions): ApoDecorator {
  const apo = instanceOption(options);
  if (apo !== undefined) assertRefreshEnabled(apo);
  return decorator(makeCheck('refresh', undefined, apo), options?.replacesClass === true);
}

/**
 * Marks a route that needs no token, for the coverage check
 * (`uncoveredRoutes`) and the combination rule: on a method it lifts the
 * class's requirements for that method only; on a class it makes public the
 * methods without a requirement of their own. Beside a requirement on the
 * same method or class it is refused: one of the two would be a mistake.
 * (`public` itself is a reserved word in strict-mode code, so it cannot be
 * the decorator's name.)
 */
export function publicRoute(): ApoDecorator {
  return function apply(target: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    if (isTc39Context(context)) {
      if (context.kind === 'method' && typeof target === 'function') return publicMethod(target as AnyMethod);
      if (context.kind === 'class' && typeof target === 'function') return publicClass(target);
      throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
    }
    if (descriptor !== undefined && typeof descriptor.value === 'function' && (typeof context === 'string' || typeof context === 'symbol')) {
      return { ...descriptor, value: publicMethod(descriptor.value as AnyMethod) };
    }
    if (typeof target === 'function' && context === undefined) return publicClass(target);
    throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
  } as ApoDecorator;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyMethod = (this: any, ...args: any[]) => any;
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Constructor = Function;

/** Classes marked public, and classes carrying a requirement: both on one class is refused. */
const publicClasses = new WeakSet<object>();
const requirementClasses = new WeakSet<object>();

function publicMethod(method: AnyMethod): AnyMethod {
  if (isGuarded(method)) throw conflict(`${method.name || 'a method'}()`);
  return markPublic(method);
}

function publicClass(constructor: Constructor): undefined {
  if (requirementClasses.has(constructor)) throw conflict(constructor.name || 'a class');
  publicClasses.add(constructor);
  const prototype = constructor.prototype as object;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const value = Object.getOwnPropertyDescriptor(prototype, key)?.value as unknown;
    // A method's own requirement still applies under a public class.
    if (typeof value === 'function' && !isGuarded(value)) markPublic(value);
  }
  return undefined;
}

function conflict(where: string): ApoJwtConfigError {
  return new ApoJwtConfigError(`${where} is marked @publicRoute() and also carries a requirement: remove one of them`);
}

function instanceOption(options: DecoratorOptions | undefined): GuardEngine | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('decorator options must be an object');
  // A misspelt `apo` would silently check with the default instance instead.
  knownKeys('decorator', options, ['apo', 'replacesClass', 'accept']);
  if (options.replacesClass !== undefined && typeof options.replacesClass !== 'boolean') throw new ApoJwtConfigError('decorator option replacesClass must be a boolean');
  const apo = options.apo;
  if (apo !== undefined && (apo === null || typeof apo !== 'object' || typeof apo.authorize !== 'function')) {
    throw new ApoJwtConfigError('decorator option apo must be an ApoJwt instance');
  }
  return apo;
}

/**
 * `accept`, compiled once. An instance known now must have API keys when the
 * route accepts them; a standalone decorator's instance is checked per request.
 */
export function acceptOption(options: AcceptOptions | undefined, apo: GuardEngine | undefined): AcceptedCredentials | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('decorator options must be an object');
  const accept = compileAccept(options.accept);
  if (accept !== undefined && apo !== undefined && apo.apiKeys === undefined) {
    throw new ApoJwtConfigError('accept lists apiKey but the instance has no API keys: pass the apiKeys option to createApoJwt');
  }
  return accept;
}

function decorator(check: Check, replacesClass: boolean): ApoDecorator {
  // Not frozen: guard.ts's list, read on every request (see mergeChecks).
  const checks = [check];
  return function apply(target: unknown, context?: unknown, descriptor?: PropertyDescriptor): unknown {
    if (isTc39Context(context)) {
      if (context.kind === 'method' && typeof target === 'function') return guardMethod(target as AnyMethod, checks, undefined, replacesClass);
      if (context.kind === 'class' && typeof target === 'function') return guardClass(target, checks, false, replacesClass);
      throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
    }
    if (descriptor !== undefined && typeof descriptor.value === 'function' && (typeof context === 'string' || typeof context === 'symbol')) {
      return { ...descriptor, value: guardMethod(descriptor.value as AnyMethod, checks, marksFor(target as object, context), replacesClass) };
    }
    if (typeof target === 'function' && context === undefined) return guardClass(target, checks, true, replacesClass);
    throw new ApoJwtConfigError('apojwt decorators apply to classes and methods');
  } as ApoDecorator;
}

function guardMethod(method: AnyMethod, checks: readonly Check[], marks: ReturnType<typeof marksFor>, replacesClass: boolean): AnyMethod {
  if (isPublic(method)) throw conflict(`${method.name || 'a method'}()`);
  wantRequestScope();
  return guard(method, checks, marks, replacesClass);
}

function isTc39Context(context: unknown): context is { kind: string } {
  return typeof context === 'object' && context !== null && typeof (context as { kind?: unknown }).kind === 'string';
}

/**
 * Guards every method the class itself defines (not inherited ones, not
 * accessors), adding to the method's own requirements; a method marked
 * `@publicRoute()` or decorated with `replacesClass: true` is left alone.
 */
function guardClass(constructor: Constructor, checks: readonly Check[], legacy: boolean, replacesClass: boolean): undefined {
  if (replacesClass) throw new ApoJwtConfigError('replacesClass applies to a method decorator: on a class there is nothing to replace');
  if (publicClasses.has(constructor)) throw conflict(constructor.name || 'a class');
  requirementClasses.add(constructor);
  wantRequestScope();
  const prototype = constructor.prototype as object;
  for (const key of Reflect.ownKeys(prototype)) {
    if (key === 'constructor') continue;
    const descriptor = Object.getOwnPropertyDescriptor(prototype, key);
    if (descriptor === undefined || typeof descriptor.value !== 'function') continue;
    if (isPublic(descriptor.value) || replacesClassRequirement(descriptor.value)) continue;
    const marks = legacy ? marksFor(prototype, key) : undefined;
    Object.defineProperty(prototype, key, { ...descriptor, value: guard(descriptor.value, checks, marks) });
  }
  return undefined;
}

/** Decorators bound to one instance: `apo.decorators.permissionRequired('orders:read')`. */
export interface BoundDecorators<P extends string> {
  tokenRequired(options?: AcceptOptions): ApoDecorator;
  permissionRequired(requirement: PermissionRequirement<P> | Rule, options?: AcceptOptions): ApoDecorator;
  refresh(): ApoDecorator;
}

export function decoratorsFor<P extends string>(apo: GuardEngine): BoundDecorators<P> {
  return Object.freeze({
    tokenRequired: (options?: AcceptOptions) => tokenRequired({ ...boundOptions(options), apo }),
    permissionRequired: (requirement: PermissionRequirement<P> | Rule, options?: AcceptOptions) => permissionRequired(requirement, { ...boundOptions(options), apo }),
    refresh: () => refresh({ apo }),
  });
}

/** A bound decorator takes `accept` only: its instance is fixed. */
function boundOptions(options: AcceptOptions | undefined): AcceptOptions {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('decorator options must be an object');
  knownKeys('decorator', options, ['accept']);
  return options.accept === undefined ? {} : { accept: options.accept };
}
