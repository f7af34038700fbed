// The permission model's costs, every contender in the same run:
//  1. token size for a user holding 10, 100 and 500 permissions: flat `perms`
//     vs a `roles` claim (rolesInToken: 'claim'; roles of 10 permissions each);
//  2. verify + authorize per call, cache miss (`cache: false`) and cache hit:
//     flat names vs role expansion vs a two-rule policy (allOf of two
//     synchronous rules) vs the same flat check with an async rule.
// Rounds are interleaved (A B C D, A B C D, ...) and the median is reported,
// with each ratio to the flat case of the same round set.
//   pnpm -r --filter "./packages/**" run build && node bench/permissions.mjs
// Options (env): ROUNDS (default 9), ROUND_MS (default 200), USER_PERMS (default 100).
import os from 'node:os';
import { ApoJwt, allOf, compileRequirement, definePolicy } from '@apojwt/core';
import { median, nsPerOp } from './lib/measure.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 9);
const ROUND_MS = Number(process.env.ROUND_MS ?? 200);
const USER_PERMS = Number(process.env.USER_PERMS ?? 100);
const BASE = { secret: 'bench-secret-bench-secret-bench-secret!', iss: 'https://auth.example.test', serverAudience: 'orders-service', expPeriod: 3600 };
const loadBefore = os.loadavg();

const permissionNames = (n) => Array.from({ length: n }, (_, i) => `resource${i}:action${i % 7}`);
/** Roles of 10 permissions each, covering `n` permissions. */
function rolesFor(n) {
  const names = permissionNames(n);
  const roles = {};
  for (let r = 0; r * 10 < n; r++) roles[`role${r}`] = { permissions: names.slice(r * 10, r * 10 + 10) };
  return roles;
}
const bytes = (token) => Buffer.byteLength(token);

// 1. Token size.
console.log(`token size (bytes, HS256, sub + data { tenant }): flat perms vs roles claim`);
console.log('| permissions held | flat `perms` | `roles` claim (roles of 10) | one role including them all |');
console.log('| --- | --- | --- | --- |');
for (const n of [10, 100, 500]) {
  const roles = rolesFor(n);
  const flat = new ApoJwt(BASE).createToken({ sub: 'user-1234', permissions: permissionNames(n), data: { tenant: 'acme' } });
  const byClaim = new ApoJwt({ ...BASE, roles, rolesInToken: 'claim' }).createToken({ sub: 'user-1234', roles: Object.keys(roles), data: { tenant: 'acme' } });
  const top = { ...roles, everything: { includes: Object.keys(roles) } };
  const oneRole = new ApoJwt({ ...BASE, roles: top, rolesInToken: 'claim' }).createToken({ sub: 'user-1234', roles: ['everything'], data: { tenant: 'acme' } });
  console.log(`| ${n} | ${bytes(flat)} | ${bytes(byClaim)} | ${bytes(oneRole)} |`);
}

// 2. Cost. The route asks for one permission the user holds (the last, so a linear scan pays in full).
const names = permissionNames(USER_PERMS);
const roles = rolesFor(USER_PERMS);
const required = names[names.length - 1];
// Compiled once, as a decorator or middleware does where the route is declared.
const requirement = compileRequirement(required);
const tenantRule = definePolicy('own-tenant', ({ claims, args }) => claims.data.tenant === args[0].tenant);
const ownerRule = definePolicy('owner', ({ claims, args }) => claims.sub === args[0].owner);
const twoRules = allOf(required, tenantRule, ownerRule);
const asyncOwner = definePolicy('owner-async', async ({ claims, args }) => claims.sub === args[0].owner);
const asyncRule = allOf(required, tenantRule, asyncOwner);
const input = { args: [{ tenant: 'acme', owner: 'user-1234' }] };

function contenders(cache) {
  const flat = new ApoJwt({ ...BASE, cache });
  const flatToken = flat.createToken({ sub: 'user-1234', permissions: names, data: { tenant: 'acme' } });
  const withRoles = new ApoJwt({ ...BASE, cache, roles, rolesInToken: 'claim' });
  const rolesToken = withRoles.createToken({ sub: 'user-1234', roles: Object.keys(roles), data: { tenant: 'acme' } });
  return {
    'flat names': { async: () => flat.authorize(flatToken, requirement) },
    'roles claim, expanded': { async: () => withRoles.authorize(rolesToken, requirement) },
    'flat + two sync rules': { async: () => flat.authorize(flatToken, twoRules, input) },
    'flat + rules, one async': { async: () => flat.authorize(flatToken, asyncRule, input) },
  };
}

for (const [label, cache] of [
  ['cache miss (cache: false)', false],
  ['cache hit', undefined],
]) {
  const set = contenders(cache);
  for (const c of Object.values(set)) await c.async(); // correctness + warm-up
  for (const c of Object.values(set)) await nsPerOp(c, 100);
  const samples = Object.fromEntries(Object.keys(set).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) for (const [k, c] of Object.entries(set)) samples[k].push(await nsPerOp(c, ROUND_MS));
  const base = median(samples['flat names']);
  console.log(`\nverify + authorize, ${label}, user with ${USER_PERMS} permissions, ns/op (median of ${ROUNDS} × ${ROUND_MS} ms; batches of 64 awaited together)`);
  console.log('| contender | ns/op | × flat | rounds (ns/op) |');
  console.log('| --- | --- | --- | --- |');
  for (const [k, values] of Object.entries(samples)) {
    const m = median(values);
    console.log(`| ${k} | ${m.toFixed(0)} | ${(m / base).toFixed(2)} | ${values.map((v) => v.toFixed(0)).join(', ')} |`);
  }
}
console.log(
  `\nNode ${process.version}, ${os.cpus().length} CPUs, load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
