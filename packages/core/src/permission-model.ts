import { ApoJwtConfigError } from './errors.js';
import { describeName, isGrantName, isPermissionName } from './permissions.js';
import type { PermissionGrant } from './permissions.js';
import type { RegisteredPermission, RegisteredRole } from './register.js';

/** One role: the permissions it grants and the roles it includes (inherits from). */
export interface RoleDefinition<P extends string = RegisteredPermission, Ro extends string = RegisteredRole> {
  readonly permissions?: readonly PermissionGrant<P>[];
  readonly includes?: readonly Ro[];
}

/** Every role of the service, declared once; with a `role` in `Register` each declared role must be defined. */
export type RoleDeclaration<P extends string = RegisteredPermission, Ro extends string = RegisteredRole> = string extends Ro
  ? { readonly [role: string]: RoleDefinition<P, Ro> }
  : { readonly [K in Ro]: RoleDefinition<P, Ro> };

/** `{ 'orders:write': ['orders:read'] }`: holding the key grants the listed names too. */
export type ImplicationDeclaration<P extends string = RegisteredPermission> = string extends P ? { readonly [permission: string]: readonly P[] } : { readonly [K in P]?: readonly P[] };

/**
 * Roles and implications, compiled once when the instance is made: each
 * role's grants (its own, its included roles', and everything they imply)
 * and each permission's implied names are looked up, never walked, when a
 * token is verified. The verified cache keeps the expanded grants, so a cache
 * hit costs nothing more.
 */
export interface PermissionModel {
  /** Every grant of a role, after inclusion and implication; frozen. */
  readonly roleGrants: ReadonlyMap<string, readonly string[]>;
  /** The names a permission implies, transitively (itself excluded); frozen. */
  readonly implied: ReadonlyMap<string, readonly string[]>;
}

export interface Expansion {
  /** The token's own grants, its roles' grants and what they imply, each once. */
  readonly grants: readonly string[];
  /** Roles the token names that this service does not declare: they grant nothing. */
  readonly unknownRoles: readonly string[];
}

/** Validates and compiles the `roles` and `implications` options; undefined when neither is given. */
export function compilePermissionModel(roles: unknown, implications: unknown): PermissionModel | undefined {
  if (roles === undefined && implications === undefined) return undefined;
  const implied = compileImplications(implications);
  const roleGrants = compileRoles(roles, implied);
  return Object.freeze({ roleGrants, implied });
}

/** Expands what a token carries. Returns `perms` itself when nothing adds to it (no allocation). */
export function expandGrants(model: PermissionModel, perms: readonly string[], roles: readonly string[] | undefined): Expansion {
  let grants: Set<string> | undefined;
  for (const perm of perms) {
    const more = model.implied.get(perm);
    if (more !== undefined) grants = addAll(grants ?? new Set(perms), more);
  }
  let unknownRoles: string[] | undefined;
  if (roles !== undefined) {
    for (const role of roles) {
      const more = model.roleGrants.get(role);
      if (more === undefined) (unknownRoles ??= []).push(role);
      else grants = addAll(grants ?? new Set(perms), more);
    }
  }
  return { grants: grants === undefined ? perms : [...grants], unknownRoles: unknownRoles ?? NONE };
}

/** The role a grant came from, for decision events: the first role (in token order) whose grants hold it. */
export function roleGranting(model: PermissionModel, roles: readonly string[] | undefined, grant: string): string | undefined {
  if (roles === undefined) return undefined;
  for (const role of roles) if (model.roleGrants.get(role)?.includes(grant)) return role;
  return undefined;
}

const NONE: readonly string[] = Object.freeze([]);

function addAll(set: Set<string>, names: readonly string[]): Set<string> {
  for (const name of names) set.add(name);
  return set;
}

function compileImplications(implications: unknown): Map<string, readonly string[]> {
  const direct = new Map<string, readonly string[]>();
  if (implications === undefined) return direct;
  if (!isPlainRecord(implications)) throw new ApoJwtConfigError('implications must be an object: { permission: [implied permissions] }');
  for (const [name, list] of Object.entries(implications)) {
    if (!isPermissionName(name))
      throw new ApoJwtConfigError(`implications: permission name ${describeName(name)} refused: names are printable ASCII without spaces, quotes, backslashes or "*"`);
    if (!Array.isArray(list)) throw new ApoJwtConfigError(`implications: ${describeName(name)} must map to an array of permission names`);
    for (const target of list) {
      if (!isPermissionName(target)) throw new ApoJwtConfigError(`implications: ${describeName(name)} implies ${describeName(target)}, which is not a permission name`);
    }
    direct.set(name, [...new Set(list as string[])]);
  }
  const closed = new Map<string, readonly string[]>();
  for (const name of direct.keys()) closed.set(name, Object.freeze(closure(name, direct, 'implication')));
  return closed;
}

function compileRoles(roles: unknown, implied: ReadonlyMap<string, readonly string[]>): Map<string, readonly string[]> {
  const grants = new Map<string, readonly string[]>();
  if (roles === undefined) return grants;
  if (!isPlainRecord(roles)) throw new ApoJwtConfigError('roles must be an object: { role: { permissions, includes } }');
  const includes = new Map<string, readonly string[]>();
  const own = new Map<string, readonly string[]>();
  for (const [role, definition] of Object.entries(roles)) {
    if (!isPermissionName(role)) throw new ApoJwtConfigError(`roles: role name ${describeName(role)} refused: names are printable ASCII without spaces, quotes, backslashes or "*"`);
    if (!isPlainRecord(definition)) throw new ApoJwtConfigError(`roles: ${describeName(role)} must be { permissions?, includes? }`);
    for (const key of Object.keys(definition)) {
      if (key !== 'permissions' && key !== 'includes') throw new ApoJwtConfigError(`roles: ${describeName(role)} has an unknown key ${describeName(key)} (permissions, includes)`);
    }
    own.set(role, nameList(definition['permissions'], `roles: ${describeName(role)}.permissions`, isGrantName));
    includes.set(role, nameList(definition['includes'], `roles: ${describeName(role)}.includes`, isPermissionName));
  }
  for (const [role, included] of includes) {
    for (const name of included) {
      if (!includes.has(name)) throw new ApoJwtConfigError(`roles: ${describeName(role)} includes ${describeName(name)}, which is not a declared role`);
    }
  }
  for (const role of includes.keys()) {
    const all = new Set<string>();
    for (const member of [role, ...closure(role, includes, 'role')]) {
      for (const grant of own.get(member) ?? NONE) {
        all.add(grant);
        for (const more of implied.get(grant) ?? NONE) all.add(more);
      }
    }
    grants.set(role, Object.freeze([...all]));
  }
  return grants;
}

/** Every name reachable from `start` (itself excluded), refusing a cycle with the names on it. */
function closure(start: string, edges: ReadonlyMap<string, readonly string[]>, what: 'role' | 'implication'): string[] {
  const reached = new Set<string>();
  const walk = (name: string, path: readonly string[]): void => {
    for (const next of edges.get(name) ?? NONE) {
      if (next === start || path.includes(next)) {
        const cycle = [...path.slice(path.indexOf(next)), next].map(describeName).join(' → ');
        throw new ApoJwtConfigError(what === 'role' ? `roles: a role includes itself: ${cycle}` : `implications: a cycle: ${cycle}`);
      }
      if (reached.has(next)) continue;
      reached.add(next);
      walk(next, [...path, next]);
    }
  };
  walk(start, [start]);
  return [...reached];
}

function nameList(value: unknown, where: string, valid: (name: string) => boolean): readonly string[] {
  if (value === undefined) return NONE;
  if (!Array.isArray(value)) throw new ApoJwtConfigError(`${where} must be an array of names`);
  for (const name of value) {
    if (typeof name !== 'string' || !valid(name)) throw new ApoJwtConfigError(`${where}: ${describeName(name)} refused`);
  }
  return value as string[];
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
