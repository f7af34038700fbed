import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import type { RegisteredPermission } from './register.js';

/**
 * Every wildcard that would grant `S`: for 'orders:items:write' that is
 * 'orders:*' | 'orders:items:*'.
 */
type WildcardsOf<S extends string> = S extends `${infer Head}:${infer Rest}` ? `${Head}:*` | `${Head}:${WildcardsOf<Rest>}` : never;

/** What a token may carry: a declared name, a wildcard over declared names, or '*'. */
export type PermissionGrant<P extends string = string> = string extends P ? string : P | WildcardsOf<P> | '*';

/**
 * What a route may require: one name, all of a list, or any of a list.
 * Only declared names are allowed, so a typo is a compile error.
 */
export type PermissionRequirement<P extends string = string> = P | readonly P[] | { readonly all: readonly P[] } | { readonly any: readonly P[] };

/** A requirement after validation: the form every check runs on. */
export interface CompiledRequirement {
  readonly mode: 'all' | 'any';
  readonly names: readonly string[];
}

// RFC 6750 §3 scope-token characters, minus '*' (wildcards are for grants only).
const PERMISSION_NAME = /^[\x21\x23-\x29\x2b-\x5b\x5d-\x7e]+$/;
// What a token or a role may grant: a name, '*', or 'prefix:*'.
const GRANT_NAME = /^(?:[\x21\x23-\x29\x2b-\x5b\x5d-\x7e]+(?::\*)?|\*)$/;

export function isPermissionName(name: unknown): name is string {
  return typeof name === 'string' && PERMISSION_NAME.test(name);
}

export function isGrantName(name: unknown): name is string {
  return typeof name === 'string' && GRANT_NAME.test(name);
}

/**
 * Validates a requirement once, where the route is declared, not per request.
 * Typed by the app's `Register`, so a misspelt name is a compile error here too.
 */
export function compileRequirement(requirement: PermissionRequirement<RegisteredPermission>): CompiledRequirement {
  let mode: 'all' | 'any' = 'all';
  let names: readonly unknown[];
  if (requirement && typeof requirement === 'object' && 'any' in requirement && 'all' in requirement) {
    // Honouring only one of the two would silently drop a condition.
    throw new ApoJwtConfigError('a permission requirement takes either { all } or { any }, not both');
  }
  if (typeof requirement === 'string') names = [requirement];
  else if (Array.isArray(requirement)) names = requirement;
  else if (requirement && typeof requirement === 'object' && 'any' in requirement && Array.isArray(requirement.any)) {
    mode = 'any';
    names = requirement.any;
  } else if (requirement && typeof requirement === 'object' && 'all' in requirement && Array.isArray(requirement.all)) {
    names = requirement.all;
  } else {
    throw new ApoJwtConfigError('a permission requirement is a name, an array of names, { all: [...] } or { any: [...] }');
  }
  if (names.length === 0) throw new ApoJwtConfigError('a permission requirement needs at least one name');
  for (const name of names) {
    if (typeof name !== 'string' || !PERMISSION_NAME.test(name)) {
      throw new ApoJwtConfigError(`permission name ${describeName(name)} refused: names are non-empty printable ASCII without spaces, quotes, backslashes or "*"`);
    }
  }
  const compiled = { mode, names: Object.freeze([...(names as string[])]) };
  // Not enumerable: a spread copy (`{ ...compiled, names: [] }`) is not compiled.
  Object.defineProperty(compiled, COMPILED, { value: true, enumerable: false });
  // The list the checks read, never handed out: Node 20's optimizing compiler reads a frozen array's elements through an inline cache call.
  Object.defineProperty(compiled, CHECKED_NAMES, { value: [...(names as string[])], enumerable: false });
  return Object.freeze(compiled) as CompiledRequirement;
}

const SHOWN_CHARS = 40;

/** The refused name as a message can show it: quoted, cut at 40 characters, control characters escaped. */
export function describeName(name: unknown): string {
  if (typeof name !== 'string') return `(a ${name === null ? 'null' : typeof name}, not a string)`;
  const shown = name.length > SHOWN_CHARS ? `${name.slice(0, SHOWN_CHARS)}…` : name;
  // JSON escapes quotes, backslashes and C0 controls; DEL, C1 controls and line separators too.
  return JSON.stringify(shown).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Marks requirements made by compileRequirement, so a look-alike object (say
 * { mode: 'all', names: [] }, which every token satisfies) is never trusted.
 * A symbol this module keeps to itself, read as a property: asked on every
 * guarded request, it costs one load where a WeakSet cost a hash lookup.
 */
const COMPILED: unique symbol = Symbol('apojwt.compiledRequirement');
/** A compiled requirement's names as an array that is not frozen (see compileRequirement); this module's own. */
const CHECKED_NAMES: unique symbol = Symbol('apojwt.checkedNames');

function checkedNames(requirement: CompiledRequirement): readonly string[] {
  return (requirement as { [CHECKED_NAMES]?: readonly string[] })[CHECKED_NAMES] ?? requirement.names;
}

export function isCompiledRequirement(value: unknown): value is CompiledRequirement {
  return typeof value === 'object' && value !== null && (value as { [COMPILED]?: unknown })[COMPILED] === true;
}

/**
 * True when one granted permission covers `required`: exact, admin, '*', or a
 * 'prefix:*' wildcard. With `wildcards` false (Python apojwt's rule) only the
 * exact name and the admin permission do.
 */
export function grantCovers(granted: string, required: string, adminPermission: string | undefined, wildcards = true): boolean {
  if (granted === required || granted === adminPermission) return true;
  if (!wildcards) return false;
  if (granted === '*') return true;
  // 'orders:*' covers 'orders:read' and 'orders:items:write', never 'orders' itself.
  return granted.endsWith(':*') && required.length > granted.length - 1 && required.startsWith(granted.slice(0, -1));
}

export function holdsPermission(granted: readonly string[], required: string, adminPermission: string | undefined, wildcards = true): boolean {
  for (let i = 0; i < granted.length; i++) {
    if (grantCovers(granted[i] as string, required, adminPermission, wildcards)) return true;
  }
  return false;
}

export function satisfies(granted: readonly string[], requirement: CompiledRequirement, adminPermission?: string, wildcards = true): boolean {
  // Plain loops, not every/some with a closure: this runs on every guarded request.
  const all = requirement.mode === 'all';
  const names = checkedNames(requirement);
  // Indexed, not for-of: the optimized code kept calling the array iterator's next() (callgrind, bench/adapters.md).
  for (let i = 0; i < names.length; i++) {
    if (holdsPermission(granted, names[i] as string, adminPermission, wildcards) !== all) return !all;
  }
  return all;
}

/** Throws ERR_PERMISSION_DENIED (403) naming the route's requirement, never the token's grants. */
export function assertPermissions(granted: readonly string[], requirement: CompiledRequirement, adminPermission?: string, wildcards = true): void {
  if (satisfies(granted, requirement, adminPermission, wildcards)) return;
  const message = requirement.mode === 'all' || requirement.names.length === 1 ? 'the token lacks a required permission' : 'the token holds none of the accepted permissions';
  throw new ApoJwtError('ERR_PERMISSION_DENIED', message, { requiredPermissions: requirement.names });
}
