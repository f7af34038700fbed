import { ApoJwtConfigError } from '../errors.js';
import type { GuardEngine } from '../engine.js';
import { currentRequestScope, type RequestScope } from '../request-scope.js';

/**
 * Where the request of a guarded call is. A method called with the
 * framework's own arguments (Express's req, res, next) checks those, unless
 * the request scope says refusals are the framework's to answer (Nest,
 * routing-controllers). A method called with anything else (its own
 * parameters, a service-layer call) checks the request of the scope it runs
 * in; with no scope there is no request to check, and that is the app's
 * mistake, said plainly rather than as a TypeError deep in a finder.
 *
 * Returns the request scope whose request the call checks (its refusals are
 * thrown for the framework), or undefined when the call's own arguments are
 * the request (refusals answered through the template): no object is made
 * for either, as this runs on every guarded call.
 */
export function locateRequest(owner: GuardEngine, args: readonly unknown[], method: { readonly name: string }): RequestScope | undefined {
  const template = owner.template;
  // A template that cannot tell (a custom one without isRequest) takes every call as the framework's.
  const direct = template?.isRequest === undefined || template.isRequest(args);
  const scope = currentRequestScope();
  if (scope !== undefined && (!direct || scope.refusals === 'throw')) return scope;
  if (direct) return undefined;
  const shape = template?.handlerArguments ?? 'handler arguments';
  // The method's name is read only for the message: a function's `name` is not a plain field.
  const name = method.name.length > 0 ? `${method.name}()` : 'a decorated method';
  throw new ApoJwtConfigError(
    `${name} was called without the ${template?.name ?? 'framework'} template's ${shape} and outside any request scope: ` +
      `route it as the framework's handler, or enter a request scope for each request (the adapter's requestScope())`,
  );
}
