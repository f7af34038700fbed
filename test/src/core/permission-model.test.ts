// Roles and implications (permission-model.ts): compiled once, refused with
// the culprits named, expanded at issue time or from a `roles` claim.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePermissionModel, expandGrants, type PermissionModel } from '@apojwt/core';
import { FrozenClock, accessHeader, accessPayload, isConfigError, makeApo, rejects, signRaw } from '../support/core.js';

const sorted = (names: readonly string[]): string[] => [...names].sort();

function model(roles: unknown, implications?: unknown): PermissionModel {
  const compiled = compilePermissionModel(roles, implications);
  assert.ok(compiled);
  return compiled;
}

describe('role expansion', () => {
  test('a role grants its permissions and those of every role it includes, at any depth', () => {
    const m = model({
      viewer: { permissions: ['orders:read'] },
      clerk: { permissions: ['orders:write'], includes: ['viewer'] },
      manager: { permissions: ['refunds:approve'], includes: ['clerk'] },
      director: { includes: ['manager'] },
    });
    assert.deepEqual(sorted(m.roleGrants.get('director') ?? []), ['orders:read', 'orders:write', 'refunds:approve']);
    assert.deepEqual(sorted(m.roleGrants.get('viewer') ?? []), ['orders:read']);
    assert.ok(Object.isFrozen(m.roleGrants.get('manager')));
  });

  test('a diamond grants each permission once', () => {
    const m = model({
      base: { permissions: ['a'] },
      left: { permissions: ['l'], includes: ['base'] },
      right: { permissions: ['r'], includes: ['base'] },
      top: { includes: ['left', 'right'] },
    });
    assert.deepEqual(sorted(m.roleGrants.get('top') ?? []), ['a', 'l', 'r']);
  });

  test('a role may grant wildcards and "*"', () => {
    const m = model({ ops: { permissions: ['orders:*', '*'] } });
    assert.deepEqual(m.roleGrants.get('ops'), ['orders:*', '*']);
  });

  test('a cycle is refused, naming the roles on it', () => {
    assert.throws(() => compilePermissionModel({ a: { includes: ['b'] }, b: { includes: ['c'] }, c: { includes: ['a'] } }, undefined), isConfigError(/"a" → "b" → "c" → "a"/));
    assert.throws(() => compilePermissionModel({ self: { includes: ['self'] } }, undefined), isConfigError(/"self" → "self"/));
    // Reached from a role that is not on it: the cycle is still named.
    assert.throws(() => compilePermissionModel({ top: { includes: ['x'] }, x: { includes: ['y'] }, y: { includes: ['x'] } }, undefined), isConfigError(/"x" → "y" → "x"/));
  });

  test('an included role that is not declared is refused, naming both', () => {
    assert.throws(() => compilePermissionModel({ clerk: { includes: ['veiwer'] } }, undefined), isConfigError(/"clerk" includes "veiwer", which is not a declared role/));
  });

  test('bad declarations are refused, naming the culprit', () => {
    const bad: [unknown, RegExp][] = [
      [[], /roles must be an object/],
      [null, /roles must be an object/],
      [{ 'bad role': {} }, /role name "bad role" refused/],
      [{ clerk: [] }, /"clerk" must be \{ permissions\?, includes\? \}/],
      [{ clerk: { perms: ['a'] } }, /"clerk" has an unknown key "perms"/],
      [{ clerk: { permissions: 'a' } }, /"clerk"\.permissions must be an array/],
      [{ clerk: { permissions: ['a b'] } }, /"clerk"\.permissions: "a b" refused/],
      [{ clerk: { permissions: ['or*ders'] } }, /"or\*ders" refused/],
      [{ clerk: { includes: [3] } }, /"clerk"\.includes: \(a number, not a string\) refused/],
    ];
    for (const [roles, message] of bad) assert.throws(() => compilePermissionModel(roles, undefined), isConfigError(message), JSON.stringify(roles));
  });

  test('neither option: no model, nothing to expand', () => {
    assert.equal(compilePermissionModel(undefined, undefined), undefined);
  });
});

describe('implications', () => {
  test('transitive: write ⇒ read ⇒ list', () => {
    const m = model(undefined, { 'orders:write': ['orders:read'], 'orders:read': ['orders:list'] });
    assert.deepEqual(sorted(m.implied.get('orders:write') ?? []), ['orders:list', 'orders:read']);
    assert.deepEqual(sorted(expandGrants(m, ['orders:write'], undefined).grants), ['orders:list', 'orders:read', 'orders:write']);
  });

  test("a role's grants include what they imply", () => {
    const m = model({ clerk: { permissions: ['orders:write'] } }, { 'orders:write': ['orders:read'] });
    assert.deepEqual(sorted(m.roleGrants.get('clerk') ?? []), ['orders:read', 'orders:write']);
  });

  test('a cycle is refused, naming the permissions on it', () => {
    assert.throws(() => compilePermissionModel(undefined, { a: ['b'], b: ['a'] }), isConfigError(/implications: a cycle: "a" → "b" → "a"/));
  });

  test('bad declarations are refused, naming the culprit', () => {
    assert.throws(() => compilePermissionModel(undefined, ['a']), isConfigError(/implications must be an object/));
    assert.throws(() => compilePermissionModel(undefined, { 'orders:*': ['a'] }), isConfigError(/"orders:\*" refused/));
    assert.throws(() => compilePermissionModel(undefined, { a: 'b' }), isConfigError(/"a" must map to an array/));
    assert.throws(() => compilePermissionModel(undefined, { a: ['b c'] }), isConfigError(/"a" implies "b c"/));
  });

  test('nothing to add: the same array comes back (no allocation on the common path)', () => {
    const m = model(undefined, { 'orders:write': ['orders:read'] });
    const perms = ['billing:pay'];
    assert.equal(expandGrants(m, perms, undefined).grants, perms);
  });
});

describe('roles in tokens', () => {
  const roles = {
    viewer: { permissions: ['orders:read'] },
    clerk: { permissions: ['orders:write'], includes: ['viewer'] },
  };

  test("'expand' (default): the roles' permissions are written into perms", async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { roles });
    const token = apo.createToken({ sub: 'u', permissions: ['billing:pay'], roles: ['clerk'] });
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(sorted(payload['perms'] as string[]), ['billing:pay', 'orders:read', 'orders:write']);
    assert.equal(payload['roles'], undefined);
    assert.ok(await apo.authorize(token, ['orders:read', 'billing:pay']));
    // A service without the declaration accepts the same token: the grants are in it.
    assert.ok(await makeApo(clock).authorize(token, 'orders:read'));
  });

  test("'claim': a roles claim, expanded on verification from the same declaration", async () => {
    const clock = new FrozenClock();
    const issuer = makeApo(clock, { roles, rolesInToken: 'claim' });
    const token = issuer.createToken({ sub: 'u', permissions: ['billing:pay'], roles: ['clerk', 'clerk'] });
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(payload['perms'], ['billing:pay']);
    assert.deepEqual(payload['roles'], ['clerk']);
    const service = makeApo(clock, { roles });
    const claims = await service.authorize(token, 'orders:read');
    assert.deepEqual(sorted(claims.perms), ['billing:pay', 'orders:read', 'orders:write']);
    assert.deepEqual(claims.roles, ['clerk']);
    assert.ok(Object.isFrozen(claims.perms));
    // A cache hit serves the expanded claims as they are.
    assert.equal(await service.verify(token), claims);
    assert.equal(service.hasPermission({ perms: [], roles: ['viewer'] }, 'orders:read'), true);
  });

  test('a role this service does not declare grants nothing (and is no error)', async () => {
    const clock = new FrozenClock();
    const issuer = makeApo(clock, { roles: { ...roles, auditor: { permissions: ['orders:read'] } }, rolesInToken: 'claim' });
    const token = issuer.createToken({ sub: 'u', roles: ['auditor'] });
    const older = makeApo(clock, { roles });
    const claims = await older.verify(token);
    assert.deepEqual(claims.perms, []);
    await rejects(older.authorize(token, 'orders:read'), 'ERR_PERMISSION_DENIED');
    // Without any declaration, a roles claim grants nothing either.
    await rejects(makeApo(clock).authorize(token, 'orders:read'), 'ERR_PERMISSION_DENIED');
  });

  test('createToken refuses a role that is not declared, or roles without a declaration', () => {
    const clock = new FrozenClock();
    assert.throws(() => makeApo(clock, { roles }).createToken({ roles: ['clark'] as never }), isConfigError(/roles must be an array of roles declared/));
    assert.throws(() => makeApo(clock).createToken({ roles: ['clerk'] }), isConfigError(/roles declared/));
    assert.throws(() => makeApo(clock, { roles }).createToken({ roles: 'clerk' as never }), isConfigError(/roles declared/));
  });

  test('a roles claim that is not a list of strings is 401 ERR_CLAIM_INVALID', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { roles });
    const token = signRaw(accessHeader(apo), accessPayload(clock, { roles: 'clerk' }));
    await rejects(apo.verify(token), 'ERR_CLAIM_INVALID');
  });

  test('rolesInToken takes only its two values', () => {
    assert.throws(() => makeApo(new FrozenClock(), { rolesInToken: 'both' as never }), isConfigError(/rolesInToken must be 'expand' or 'claim'/));
  });

  test('implications apply on verification to tokens from any issuer', async () => {
    const clock = new FrozenClock();
    const token = makeApo(clock).createToken({ sub: 'u', permissions: ['orders:write'] });
    const service = makeApo(clock, { implications: { 'orders:write': ['orders:read'] } });
    assert.ok(await service.authorize(token, 'orders:read'));
    await rejects(makeApo(clock).authorize(token, 'orders:read'), 'ERR_PERMISSION_DENIED');
  });
});
