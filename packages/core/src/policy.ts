import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import type { AccessClaims } from './claims.js';
import { describeName, isPermissionName } from './permissions.js';
import type { RegisteredData, RegisteredPermission } from './register.js';

/** What a policy is asked about: who (the verified claims), and what the call is about. */
export interface PolicyContext<D extends object = RegisteredData> {
  /** The verified claims, grants expanded (roles, implications). */
  readonly claims: AccessClaims<string, D>;
  /**
   * A decorated method: its arguments. Middleware: the framework's
   * arguments (`req, res, next`; `ctx, next`). `authorize`: `input.args`.
   */
  readonly args: readonly unknown[];
  /** The framework's request (Express `req`, Koa `ctx`, Fastify `request`); `input.request` for `authorize`. */
  readonly request: unknown;
}

/** What `authorize(token, rule, input)` hands a rule outside HTTP (a queue consumer, an RPC handler). */
export interface PolicyInput {
  readonly args?: readonly unknown[];
  readonly request?: unknown;
  /** The route, for decision events (`GET /orders/:id`); the guard fills it from the template. */
  readonly route?: string;
}

export type PolicyFunction<D extends object = RegisteredData> = (context: PolicyContext<D>) => boolean | Promise<boolean>;

/**
 * A named rule, or a combination of rules and permission names. Opaque: only
 * `definePolicy`, `allOf`, `anyOf`, `not` and apojwt's own builders
 * (`actedBy`, `notDelegated`, `subjectIs`) make one, and only those are
 * trusted (a look-alike object is refused like a bad requirement).
 */
export interface Rule {
  /** How the rule reads, for messages and decision events: `allOf("orders:read", owner)`. */
  readonly requirement: string;
}

type Node =
  | { readonly kind: 'permission'; readonly name: string }
  | { readonly kind: 'policy'; readonly name: string; readonly fn: PolicyFunction<object> }
  | { readonly kind: 'all' | 'any'; readonly parts: readonly Node[] }
  | { readonly kind: 'not'; readonly part: Node };

const nodes = new WeakMap<Rule, Node>();

export function isRule(value: unknown): value is Rule {
  return typeof value === 'object' && value !== null && nodes.has(value as Rule);
}

/**
 * A reusable rule about the resource or the tenant, defined once:
 * `definePolicy('owner', ({ claims, request }) => ...)`. It may be async
 * (load the resource). It answers true to allow; false denies (403); a throw
 * is the application's own failure and propagates (500).
 */
export function definePolicy<D extends object = RegisteredData>(name: string, fn: PolicyFunction<D>): Rule {
  if (!isPermissionName(name)) throw new ApoJwtConfigError(`definePolicy: name ${describeName(name)} refused: names are printable ASCII without spaces, quotes, backslashes or "*"`);
  if (typeof fn !== 'function') throw new ApoJwtConfigError(`definePolicy: ${describeName(name)} needs a function (context) => boolean | Promise<boolean>`);
  return makeRule({ kind: 'policy', name, fn: fn as PolicyFunction<object> }, name);
}

/**
 * A rule of apojwt's own vocabulary (`actedBy("svc:orders")`, actor-rules.ts):
 * a policy whose name is how it reads, quotes and options included, so it is
 * made here rather than through `definePolicy`'s name check. Not exported
 * from the package: only apojwt's builders make one.
 */
export function builtInRule(requirement: string, fn: PolicyFunction<object>): Rule {
  return makeRule({ kind: 'policy', name: requirement, fn }, requirement);
}

/** Every part holds: rules and permission names, checked in the order written (stops at the first denial). */
export function allOf<P extends string = RegisteredPermission>(...parts: readonly (Rule | NoInfer<P>)[]): Rule {
  return combine('all', 'allOf', parts);
}

/** At least one part holds, checked in the order written (stops at the first that holds). */
export function anyOf<P extends string = RegisteredPermission>(...parts: readonly (Rule | NoInfer<P>)[]): Rule {
  return combine('any', 'anyOf', parts);
}

/** The part does not hold. */
export function not<P extends string = RegisteredPermission>(part: Rule | NoInfer<P>): Rule {
  const node = toNode(part, 'not');
  return makeRule({ kind: 'not', part: node }, `not(${describe(node)})`);
}

function combine(kind: 'all' | 'any', fn: string, parts: readonly unknown[]): Rule {
  if (parts.length === 0) throw new ApoJwtConfigError(`${fn} needs at least one rule or permission name`);
  const compiled = Object.freeze(parts.map((part) => toNode(part, fn)));
  return makeRule({ kind, parts: compiled }, `${fn}(${compiled.map(describe).join(', ')})`);
}

function toNode(part: unknown, fn: string): Node {
  if (isRule(part)) return nodes.get(part) as Node;
  if (isPermissionName(part)) return { kind: 'permission', name: part };
  throw new ApoJwtConfigError(`${fn}: ${describeName(part)} is neither a rule (definePolicy, allOf, anyOf, not) nor a permission name`);
}

function describe(node: Node): string {
  switch (node.kind) {
    case 'permission':
      return JSON.stringify(node.name);
    case 'policy':
      return node.name;
    case 'not':
      return `not(${describe(node.part)})`;
    default:
      return `${node.kind === 'all' ? 'allOf' : 'anyOf'}(${node.parts.map(describe).join(', ')})`;
  }
}

function makeRule(node: Node, requirement: string): Rule {
  const rule: Rule = Object.freeze({ requirement });
  nodes.set(rule, Object.freeze(node));
  return rule;
}

/** The permission names a rule asks for (not those under `not`): the `scope` of the 403 challenge. */
export function ruleScope(rule: Rule): readonly string[] {
  const names = new Set<string>();
  const walk = (node: Node): void => {
    if (node.kind === 'permission') names.add(node.name);
    else if (node.kind === 'all' || node.kind === 'any') node.parts.forEach(walk);
  };
  walk(nodes.get(rule) as Node);
  return [...names];
}

/** True when one permission is held, with the instance's admin and wildcard rules. */
export type HoldsPermission = (name: string) => boolean;

/**
 * Evaluates a rule: synchronously while every policy answers synchronously,
 * so a rule of permission names and sync policies adds no promise to the
 * guard's fast path.
 */
export function evaluateRule(rule: Rule, context: PolicyContext<object>, holds: HoldsPermission): boolean | Promise<boolean> {
  const node = nodes.get(rule);
  if (node === undefined) throw new ApoJwtConfigError('a rule must be made by definePolicy, allOf, anyOf or not');
  return evaluate(node, context, holds);
}

function evaluate(node: Node, context: PolicyContext<object>, holds: HoldsPermission): boolean | Promise<boolean> {
  switch (node.kind) {
    case 'permission':
      return holds(node.name);
    case 'policy':
      return answer(node.name, node.fn(context));
    case 'not': {
      const inner = evaluate(node.part, context, holds);
      return inner instanceof Promise ? inner.then((held) => !held) : !inner;
    }
    default:
      return evaluateParts(node.parts, 0, node.kind === 'all', context, holds);
  }
}

/** allOf stops at the first false, anyOf at the first true; a promise continues from the next part. */
function evaluateParts(parts: readonly Node[], from: number, all: boolean, context: PolicyContext<object>, holds: HoldsPermission): boolean | Promise<boolean> {
  for (let i = from; i < parts.length; i++) {
    const verdict = evaluate(parts[i] as Node, context, holds);
    if (verdict instanceof Promise) return verdict.then((held) => (held !== all ? !all : evaluateParts(parts, i + 1, all, context, holds)));
    if (verdict !== all) return !all;
  }
  return all;
}

function answer(name: string, result: unknown): boolean | Promise<boolean> {
  if (typeof result === 'boolean') return result;
  if (result instanceof Promise) return result.then((settled: unknown) => strictBoolean(name, settled));
  return strictBoolean(name, result);
}

function strictBoolean(name: string, value: unknown): boolean {
  // Fail closed and loudly: a forgotten `return` (undefined) is the app's bug, never a silent allow or deny.
  if (typeof value !== 'boolean') throw new ApoJwtConfigError(`policy ${describeName(name)} must answer true or false, not ${value === null ? 'null' : typeof value}`);
  return value;
}

/** ERR_PERMISSION_DENIED (403) naming the rule, never the token's grants. */
export function ruleDenied(rule: Rule): ApoJwtError {
  return new ApoJwtError('ERR_PERMISSION_DENIED', `the token does not satisfy ${rule.requirement}`, { requiredPermissions: ruleScope(rule), requirement: rule.requirement });
}
