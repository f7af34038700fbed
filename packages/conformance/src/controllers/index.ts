import { permissionRequired, refresh, tokenRequired, type ApoJwt, type JsonObject } from '@apojwt/core';
import { ran, view } from './record.js';

export { ran, view } from './record.js';

/**
 * The template suite's controllers, written once and compiled twice: with
 * TC39 decorators (tsconfig.build.json → dist/, the `tc39Controllers` export)
 * and with experimentalDecorators + emitDecoratorMetadata
 * (tsconfig.legacy.json → dist-legacy/, the `@apojwt/conformance/legacy`
 * entry). Standalone decorators: the instance is the one `createApoJwt` made
 * last, looked up per request.
 */
export class OrdersController {
  readonly label = 'orders-controller';

  @tokenRequired()
  profile(...args: unknown[]) {
    return view('profile', this, args);
  }

  @permissionRequired('orders:read')
  async read(...args: unknown[]) {
    await Promise.resolve();
    return view('read', this, args);
  }

  @permissionRequired(['orders:read', 'orders:write'])
  readWrite(...args: unknown[]) {
    return view('readWrite', this, args);
  }

  @permissionRequired({ all: ['orders:read', 'billing:read'] })
  readBoth(...args: unknown[]) {
    return view('readBoth', this, args);
  }

  @permissionRequired({ any: ['orders:write', 'billing:read'] })
  writeOrBilling(...args: unknown[]) {
    return view('writeOrBilling', this, args);
  }

  @permissionRequired('orders:items:write')
  itemsWrite(...args: unknown[]) {
    return view('itemsWrite', this, args);
  }

  // Stacking order must not matter: both orders require both checks.
  @tokenRequired()
  @permissionRequired('orders:write')
  tokenThenPermission(...args: unknown[]) {
    return view('tokenThenPermission', this, args);
  }

  @permissionRequired('orders:write')
  @tokenRequired()
  permissionThenToken(...args: unknown[]) {
    return view('permissionThenToken', this, args);
  }

  @permissionRequired('orders:read')
  boom(..._args: unknown[]): never {
    ran.push('boom');
    throw new Error('boom from the handler');
  }
}

/** Class level: every method needs orders:read; a method-level decorator adds to it. */
@permissionRequired('orders:read')
export class ClassGuardedController {
  readonly label = 'class-guarded';

  list(...args: unknown[]) {
    return view('list', this, args);
  }

  @permissionRequired('orders:write')
  write(...args: unknown[]) {
    return view('write', this, args);
  }
}

/** `@refresh()`: consumes the refresh token; `createToken` inside continues its family. */
export class SessionController {
  readonly label = 'session-controller';

  constructor(private readonly apo: ApoJwt<string, JsonObject, JsonObject, true>) {}

  @refresh()
  renew(...args: unknown[]) {
    const seen = view('renew', this, args);
    const pair = this.apo.createToken({ sub: 'user-1', permissions: ['orders:read'], refreshData: { user: 'user-1' } });
    return { ...seen, ...pair };
  }
}

/** Decorators bound to one instance: `apo.decorators.*`. */
export function boundController(apo: ApoJwt<string, JsonObject, JsonObject, boolean>) {
  const { permissionRequired: needs } = apo.decorators;
  class BoundController {
    readonly label = 'bound-controller';

    @needs('orders:read')
    read(...args: unknown[]) {
      return view('boundRead', this, args);
    }
  }
  return new BoundController();
}
