import 'reflect-metadata';
import { permissionRequired, refresh, RefreshData, TokenClaims, TokenData, TokenPermissions, TokenSubject } from '@apojwt/core';
import { ran } from '../controllers/record.js';

/** Parameter injection (experimentalDecorators only): marked positions get values, the framework's args fill the rest. */
export class InjectedController {
  @permissionRequired('orders:read')
  read(@TokenSubject() sub: string, @TokenData() data: object, first: unknown, @TokenPermissions() perms: readonly string[], @TokenClaims() claims: { jti: string }, ...rest: unknown[]) {
    ran.push('injectedRead');
    const framework = first as Record<string, unknown>;
    return {
      sub,
      data,
      perms,
      jti: claims.jti,
      firstIsFrameworkArg: 'rawHeaders' in framework || 'req' in framework || 'raw' in framework,
      lastIsNext: typeof rest[rest.length - 1] === 'function',
    };
  }

  @refresh()
  renew(@RefreshData() refreshData: object, first: unknown) {
    ran.push('injectedRenew');
    return { refreshData, firstIsFrameworkArg: typeof first === 'object' && first !== null };
  }
}

/** A class-level decorator also injects into a method that only has parameter marks. */
@permissionRequired('orders:read')
export class InjectedClassController {
  who(@TokenSubject() sub: string, ..._framework: unknown[]) {
    ran.push('injectedWho');
    return { sub };
  }
}
