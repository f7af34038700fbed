// Type-level tests with a declared permission vocabulary. Compiled (not run)
// by tsconfig.types.json, on its own so this Register augmentation does not
// leak into other tests. A wrong `@ts-expect-error` fails the build.
import {
  ApoJwt,
  allOf,
  anyOf,
  createApoJwt,
  compileRequirement,
  definePolicy,
  not,
  permissionRequired,
  type AccessClaims,
  type ApoJwtOptions,
  type PermissionGrant,
  type TokenPair,
} from '@apojwt/core';

declare module '@apojwt/core' {
  interface Register {
    permission: 'orders:read' | 'orders:write' | 'orders:items:write' | 'admin';
    role: 'viewer' | 'clerk';
    data: { tenant: string };
    refreshData: { device: string };
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function assertType<T extends true>(): void {}

const options = { secret: 's'.repeat(32), iss: 'i', serverAudience: 'a' };

export async function registerChecks(token: string): Promise<void> {
  const apo = new ApoJwt(options);

  // Requirements: declared names only.
  await apo.authorize(token, 'orders:read');
  await apo.authorize(token, ['orders:read', 'orders:write']);
  await apo.authorize(token, { any: ['orders:read', 'admin'] });
  await apo.authorize(token, { all: ['orders:items:write'] });
  // @ts-expect-error a typo in a permission name
  await apo.authorize(token, 'orders:reed');
  // @ts-expect-error a typo inside an all-of list
  await apo.authorize(token, ['orders:read', 'orders:wirte']);
  // @ts-expect-error a typo inside any-of
  await apo.authorize(token, { any: ['orders:reed'] });
  // @ts-expect-error wildcards are grants, not requirements
  await apo.authorize(token, 'orders:*');
  compileRequirement('orders:write');
  // @ts-expect-error compileRequirement follows the declared names too
  compileRequirement('orders:reed');
  apo.hasPermission({ perms: [] }, 'admin');
  // @ts-expect-error hasPermission too
  apo.hasPermission({ perms: [] }, 'amdin');

  // Grants: declared names, their wildcards, and '*'.
  apo.createToken({ sub: 'u', permissions: ['orders:read', 'orders:*', 'orders:items:*', '*'], data: { tenant: 't' } });
  // @ts-expect-error a typo in a granted permission
  apo.createToken({ permissions: ['orders:reed'] });
  // @ts-expect-error a wildcard over an undeclared prefix
  apo.createToken({ permissions: ['users:*'] });
  // @ts-expect-error data follows Register
  apo.createToken({ data: { tenant: 1 } });

  // Verified payloads are typed.
  const claims = await apo.verify(token);
  assertType<Equal<typeof claims, AccessClaims<PermissionGrant<'orders:read' | 'orders:write' | 'orders:items:write' | 'admin'>, { tenant: string }>>>();
  assertType<Equal<typeof claims.data.tenant, string>>();
  const refreshing = apo.configRefresh({ refreshSecret: 'r'.repeat(32) });
  const refresh = await refreshing.verifyRefresh(token);
  assertType<Equal<typeof refresh.data, { device: string }>>();
  // @ts-expect-error refreshData follows Register
  refreshing.createToken({ refreshData: { device: 1 } });

  // createToken's result follows the configuration, no union to narrow.
  assertType<Equal<ReturnType<typeof apo.createToken>, string>>();
  assertType<Equal<ReturnType<typeof refreshing.createToken>, TokenPair>>();
  const viaOption = createApoJwt({ ...options, refresh: { refreshSecret: 'r'.repeat(32) } });
  assertType<Equal<ReturnType<typeof viaOption.createToken>, TokenPair>>();
  assertType<Equal<ReturnType<typeof createApoJwt<typeof options>>['createToken'] extends () => infer R ? R : never, string>>();
  // @ts-expect-error a pair is not a string
  const notString: string = viaOption.createToken();
  void notString;

  // Roles and implications: declared names only, every declared role defined.
  const roles = { viewer: { permissions: ['orders:read'] }, clerk: { permissions: ['orders:*'], includes: ['viewer'] } } as const;
  const withRoles = new ApoJwt({ ...options, roles, implications: { 'orders:write': ['orders:read'] } });
  withRoles.createToken({ sub: 'u', roles: ['clerk'] });
  // @ts-expect-error a misspelt role in createToken
  withRoles.createToken({ roles: ['clark'] });
  // @ts-expect-error a misspelt role in an include
  void new ApoJwt({ ...options, roles: { viewer: {}, clerk: { includes: ['veiwer'] } } });
  // @ts-expect-error a misspelt permission granted by a role
  void new ApoJwt({ ...options, roles: { viewer: { permissions: ['orders:reed'] }, clerk: {} } });
  // @ts-expect-error a declared role left undefined
  void new ApoJwt({ ...options, roles: { viewer: {} } });
  // @ts-expect-error an undeclared role defined
  void new ApoJwt({ ...options, roles: { viewer: {}, clerk: {}, auditor: {} } });
  // @ts-expect-error a misspelt permission in an implication
  void new ApoJwt({ ...options, implications: { 'orders:write': ['orders:reed'] } });
  // @ts-expect-error a misspelt implying permission
  void new ApoJwt({ ...options, implications: { 'orders:wirte': ['orders:read'] } });
  const rolesOption: ApoJwtOptions['rolesInToken'] = 'claim';
  void rolesOption;
  const claimed = await withRoles.verify(token);
  assertType<Equal<typeof claimed.roles, string[] | undefined>>();

  // Rules: permission names inside combinators are declared names; policies see typed data.
  const sameTenant = definePolicy('same-tenant', ({ claims }) => claims.data.tenant === 'acme');
  const rule = allOf('orders:read', anyOf(sameTenant, 'admin'), not('orders:write'));
  await withRoles.authorize(token, rule, { args: [] });
  withRoles.permissionRequired(rule);
  permissionRequired(rule);
  // @ts-expect-error a misspelt permission in allOf
  allOf('orders:reed', sameTenant);
  // @ts-expect-error a misspelt permission in not
  not('admni');
  // @ts-expect-error a policy answers a boolean
  definePolicy('bad', () => 'yes');
  // @ts-expect-error data follows Register in a policy too
  definePolicy('bad-data', ({ claims }) => claims.data.tenant === 1);
}
