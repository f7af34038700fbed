import { ApoJwtConfigError } from '../errors.js';
import type { GuardEngine } from '../engine.js';
import { currentRequestScope } from '../request-scope.js';

export interface LocatedRequest {
  /** The framework's arguments for the request being checked. */
  readonly requestArgs: readonly unknown[];
  /** True when they came from the request scope: refusals are thrown, not answered. */
  readonly scoped: boolean;
}

/**
 * Where the request of a guarded call is. A method called with the
 * framework's own arguments (Express's req, res, next) checks those, unless
 * the request scope says refusals are the framework's to answer (Nest,
 * routing-controllers). A method called with anything else (its own
 * parameters, a service-layer call) checks the request of the scope it runs
 * in; with no scope there is no request to check, and that is the app's
 * mistake, said plainly rather than as a TypeError deep in a finder.
 */
export function locateRequest(owner: GuardEngine, args: readonly unknown[], methodName: string): LocatedRequest {
  const template = owner.template;
  // A template that cannot tell (a custom one without isRequest) takes every call as the framework's.
  const direct = template?.isRequest === undefined || template.isRequest(args);
  const scope = currentRequestScope();
  if (scope !== undefined && (!direct || scope.refusals === 'throw')) return { requestArgs: scope.args, scoped: true };
  if (direct) return { requestArgs: args, scoped: false };
  const shape = template?.handlerArguments ?? 'handler arguments';
  const name = methodName.length > 0 ? `${methodName}()` : 'a decorated method';
  throw new ApoJwtConfigError(
    `${name} was called without the ${template?.name ?? 'framework'} template's ${shape} and outside any request scope: ` +
      `route it as the framework's handler, or enter a request scope for each request (the adapter's requestScope())`,
  );
}
