import { compileRequirement, type PermissionRequirement } from './permissions.js';
import { isRule, type Rule } from './policy.js';
import { InstanceSettings } from './settings.js';
import { acceptOption, decoratorsFor, type AcceptOptions, type BoundDecorators } from './decorators/decorators.js';
import { knownKeys } from './validate.js';
import { middlewareFor, publicMiddleware, type Middleware } from './decorators/middleware.js';
import { makeCheck } from './decorators/checks.js';
import { refreshEndpoint, type RefreshEndpointOptions, type RotatingEngine } from './http/refresh-endpoint.js';

/**
 * An instance's checks as bound decorators and framework middleware: the
 * decorator engine (decorators/) run against the instance's engine contract.
 * Kept apart from the ApoJwt façade, which issues, verifies and revokes.
 */
export abstract class GuardFactories<P extends string, D extends object, R extends object> extends InstanceSettings {
  private boundDecorators: BoundDecorators<P> | undefined;

  /** The instance itself, as the decorator engine sees it. */
  protected abstract get engine(): RotatingEngine;

  /** Decorators bound to this instance: `@apo.decorators.permissionRequired('orders:read')`. */
  get decorators(): BoundDecorators<P> {
    return (this.boundDecorators ??= decoratorsFor<P>(this.engine));
  }
  /** Middleware: a valid access token is required (401 otherwise); `{ accept: ['bearer', 'apiKey'] }` also takes an API key. */
  tokenRequired(options?: AcceptOptions): Middleware {
    return middlewareFor(makeCheck('token', undefined, this.engine, this.accept(options)));
  }
  /** Middleware: a valid access token (401) holding the permission(s), or satisfying the rule (403); `{ accept }` as for tokenRequired. */
  permissionRequired(requirement: PermissionRequirement<P> | Rule, options?: AcceptOptions): Middleware {
    const compiled = isRule(requirement) ? requirement : compileRequirement(requirement);
    return middlewareFor(makeCheck('permission', compiled, this.engine, this.accept(options)));
  }
  private accept(options: AcceptOptions | undefined): ReturnType<typeof acceptOption> {
    if (options !== undefined && options !== null && typeof options === 'object') knownKeys('middleware', options, ['accept']);
    return acceptOption(options, this.engine);
  }
  /** Middleware: the route needs no token (`@publicRoute()` as middleware), so the coverage check does not list it. */
  publicRoute(): Middleware {
    return publicMiddleware();
  }
  /** Middleware: consumes a refresh token; `createToken` after it continues the token's family. */
  refresh(): Middleware {
    return middlewareFor(makeCheck('refresh', undefined, this.engine));
  }
  /** A ready-made refresh endpoint: rotates the pair, sets the refresh cookie, answers the access token. */
  refreshEndpoint(options?: RefreshEndpointOptions<P, D, R>): Middleware {
    return refreshEndpoint(this.engine, options as unknown as RefreshEndpointOptions);
  }
}
