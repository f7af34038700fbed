import type { Action } from 'routing-controllers';

/**
 * The framework's own handler arguments for the request of a routing-controllers
 * `Action`, in the shape apojwt's templates read: Koa's driver gives the
 * context (`ctx`), Express's driver the request and the response.
 */
export function requestArgsOf(action: Action): readonly unknown[] {
  return action.context !== undefined ? [action.context] : [action.request, action.response];
}
