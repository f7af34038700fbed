import type { Reflector } from '@nestjs/core';
import { ApoJwtConfigError, type AcceptedCredentials, type CompiledRequirement, type Rule } from '@apojwt/core';
import { ACCEPT_KEY, PERMISSIONS_KEY, PUBLIC_KEY, REFRESH_KEY, TOKEN_REQUIRED_KEY } from './metadata.js';

/**
 * What the guard does for one handler, worked out once from the metadata of
 * the method and of its controller.
 *
 * The combination rule:
 *  1. Requirements add up. Every `@TokenRequired()`, `@PermissionRequired()`
 *     and `@Refresh()` on the controller and on the method applies: a method
 *     requirement never replaces a controller requirement, it adds to it.
 *  2. `@Public()` on a method is the one way to lift the controller's
 *     requirements, for that method only.
 *  3. `@Public()` on a controller makes its methods without a requirement of
 *     their own public; a method's own requirement still applies.
 *  4. `@Public()` beside a requirement on the same method or the same
 *     controller contradicts itself: ApoJwtConfigError, never a guess.
 *  5. A handler with neither is undecided: it runs unchecked, unless the
 *     module's `requireDecision` is on, which refuses it.
 */
export type Decision =
  | { readonly kind: 'public' }
  | { readonly kind: 'undecided' }
  | {
      readonly kind: 'check';
      /** A valid access token is needed (a token or a permission requirement). */
      readonly access: boolean;
      /** Every one must be met. */
      readonly requirements: readonly (CompiledRequirement | Rule)[];
      readonly refresh: boolean;
      /** What the access check accepts beside Bearer tokens: what every access decorator of the route accepts; undefined: Bearer only. */
      readonly accept: AcceptedCredentials | undefined;
    };

interface Level {
  readonly token: boolean;
  readonly requirements: readonly (CompiledRequirement | Rule)[];
  readonly refresh: boolean;
  readonly isPublic: boolean;
}

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

export function handlerName(controller: Target, handler: Target): string {
  return `${controller.name || 'a controller'}.${handler.name || 'a handler'}()`;
}

export function decide(reflector: Reflector, handler: Target, controller: Target): Decision {
  const method = levelOf(reflector, handler);
  const klass = levelOf(reflector, controller);
  for (const [level, where] of [
    [method, handlerName(controller, handler)],
    [klass, controller.name || 'a controller'],
  ] as const) {
    if (level.isPublic && (level.token || level.requirements.length > 0 || level.refresh)) {
      throw new ApoJwtConfigError(`${where} is marked @Public() and also carries a requirement: remove one of them`);
    }
  }
  if (method.isPublic) return { kind: 'public' };
  // Method and controller requirements together (the Reflector merges the two lists).
  const requirements = reflector.getAllAndMerge<(CompiledRequirement | Rule)[]>(PERMISSIONS_KEY, [handler, controller]);
  const token = method.token || klass.token;
  const refresh = method.refresh || klass.refresh;
  if (token || requirements.length > 0 || refresh) {
    const accept = acceptedBy(reflector.getAllAndMerge<(AcceptedCredentials | null)[]>(ACCEPT_KEY, [handler, controller]), handlerName(controller, handler));
    // The list is not frozen (the decision is, and it is never handed out): Node 20's optimizing compiler reads a frozen array's elements through an inline cache call.
    return Object.freeze({ kind: 'check', access: token || requirements.length > 0, requirements, refresh, accept });
  }
  return klass.isPublic ? { kind: 'public' } : { kind: 'undecided' };
}

function levelOf(reflector: Reflector, target: Target): Level {
  return {
    token: reflector.get<boolean | undefined>(TOKEN_REQUIRED_KEY, target) === true,
    requirements: reflector.get<readonly (CompiledRequirement | Rule)[] | undefined>(PERMISSIONS_KEY, target) ?? [],
    refresh: reflector.get<boolean | undefined>(REFRESH_KEY, target) === true,
    isPublic: reflector.get<boolean | undefined>(PUBLIC_KEY, target) === true,
  };
}

/** A route accepts an API key only when every access decorator on it (method and controller) does; one without `accept` takes Bearer tokens only. */
function acceptedBy(entries: readonly (AcceptedCredentials | null)[], where: string): AcceptedCredentials | undefined {
  if (entries.length === 0) return undefined;
  const bearer = entries.every((entry) => entry === null || entry.bearer);
  const apiKey = entries.every((entry) => entry !== null && entry.apiKey);
  if (!bearer && !apiKey) throw new ApoJwtConfigError(`${where}: its decorators accept no credential in common (one only Bearer tokens, another only API keys)`);
  return apiKey ? Object.freeze({ bearer, apiKey }) : undefined;
}
