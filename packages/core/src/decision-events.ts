import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isApoJwtError, type ApoJwtErrorCode, type ApoJwtHttpStatus } from './errors.js';
import { grantCovers, isCompiledRequirement, type CompiledRequirement } from './permissions.js';
import { isRule, type Rule } from './policy.js';
import { roleGranting, type PermissionModel } from './permission-model.js';

/**
 * One access decision, for the `onDecision` hook (and the active
 * OpenTelemetry span). It never holds the token, a secret, or a claim value
 * other than `sub` and `jti`; permission and role names are the
 * application's own vocabulary.
 */
export interface DecisionEvent {
  /** 'allow'; 'deny' (a typed ApoJwtError: 401, 403, 503); 'error' (anything else thrown: the app's own failure). */
  readonly outcome: 'allow' | 'deny' | 'error';
  /** The error code on 'deny'. */
  readonly code: ApoJwtErrorCode | undefined;
  /** 200 on 'allow', the code's status on 'deny', 500 on 'error'. */
  readonly status: ApoJwtHttpStatus | 200 | 500;
  /** What was presented: a Bearer access token, or an API key (a route with `accept`, `authorizeApiKey`). */
  readonly credential: 'token' | 'apiKey';
  /** From verified claims only: undefined when the token (or key) did not verify. A key's subject once it verified. */
  readonly sub: string | undefined;
  /** A token's `jti`; undefined for an API key. */
  readonly jti: string | undefined;
  /**
   * An API key's lookup id (public, the `keyId` of its claims) whenever the
   * key had a well-formed id, refusals included; never the key or its
   * secret. Undefined for tokens and for a key of the wrong form.
   */
  readonly keyId: string | undefined;
  /** What was required: 'token', a permission requirement (`all(a, b)`, `any(a, b)`), or a rule as it reads. */
  readonly requirement: string;
  /**
   * On 'allow', what satisfied each required name: the grant (`orders:*`),
   * `role:<name>` for a grant from a role of the token's `roles` claim, or
   * `<grant> ⇒ <name>` for an implication. Empty for 'token' and rules.
   */
  readonly satisfiedBy: readonly string[];
  /** Roles the token names that this service does not declare: they granted nothing. */
  readonly unknownRoles: readonly string[];
  /** `GET /orders/:id` when the framework says (decorators and middleware); undefined otherwise. */
  readonly route: string | undefined;
  /** Milliseconds the decision took (verification included). */
  readonly durationMs: number;
}

export type DecisionHook = (event: DecisionEvent) => void;

/** Where a verified claim's grants came from, kept beside expanded claims (never in them). */
export interface GrantOrigin {
  readonly perms: readonly string[];
  readonly roles: readonly string[] | undefined;
  readonly unknownRoles: readonly string[];
}

interface Claimsish {
  readonly sub: string;
  readonly jti?: string;
  readonly perms: readonly string[];
  readonly roles?: readonly string[];
}

interface Settings {
  readonly adminPermission: string | undefined;
  readonly wildcards: boolean;
  readonly model: PermissionModel | undefined;
  readonly origins: WeakMap<object, GrantOrigin>;
}

const NONE: readonly string[] = Object.freeze([]);

/** The credential of an API-key decision: its lookup id, undefined when the key had none (wrong form). */
export interface KeyCredential {
  readonly keyId: string | undefined;
}

/** A timer read before the decision: `performance.now()`, monotonic. */
export function decisionStart(): number {
  return performance.now();
}

/**
 * Calls the hook and annotates the active span. A hook that throws is
 * reported on the console, never turned into the request's answer: the
 * decision is already made.
 */
export function emitDecision(
  hook: DecisionHook | undefined,
  settings: Settings,
  started: number,
  requirement: CompiledRequirement | Rule | undefined,
  claims: Claimsish | undefined,
  error: unknown,
  route: string | undefined,
  key?: KeyCredential,
): void {
  const origin = claims === undefined ? undefined : settings.origins.get(claims);
  const outcome = error === undefined ? 'allow' : isApoJwtError(error) ? 'deny' : 'error';
  const event: DecisionEvent = Object.freeze({
    outcome,
    code: outcome === 'deny' ? (error as { code: ApoJwtErrorCode }).code : undefined,
    status: outcome === 'allow' ? 200 : outcome === 'deny' ? (error as { status: ApoJwtHttpStatus }).status : 500,
    credential: key === undefined ? 'token' : 'apiKey',
    sub: claims?.sub,
    jti: claims?.jti,
    keyId: key?.keyId,
    requirement: describeRequirement(requirement),
    satisfiedBy: outcome === 'allow' && claims !== undefined ? satisfiedBy(settings, requirement, claims, origin) : NONE,
    unknownRoles: origin?.unknownRoles ?? NONE,
    route,
    durationMs: performance.now() - started,
  });
  annotateSpan(event);
  if (hook === undefined) return;
  try {
    hook(event);
  } catch (hookError) {
    console.error('apojwt: the onDecision hook threw', hookError);
  }
}

function describeRequirement(requirement: CompiledRequirement | Rule | undefined): string {
  if (requirement === undefined) return 'token';
  if (isRule(requirement)) return requirement.requirement;
  if (!isCompiledRequirement(requirement)) return 'permission';
  if (requirement.names.length === 1) return requirement.names[0] as string;
  return `${requirement.mode}(${requirement.names.join(', ')})`;
}

function satisfiedBy(settings: Settings, requirement: CompiledRequirement | Rule | undefined, claims: Claimsish, origin: GrantOrigin | undefined): readonly string[] {
  if (requirement === undefined || isRule(requirement) || !isCompiledRequirement(requirement)) return NONE;
  const found: string[] = [];
  for (const name of requirement.names) {
    const grant = claims.perms.find((held) => grantCovers(held, name, settings.adminPermission, settings.wildcards));
    if (grant === undefined) continue;
    found.push(sourceOf(settings, grant, origin));
    if (requirement.mode === 'any') break;
  }
  return Object.freeze(found);
}

/** The grant as the token sent it, or the role or implication that added it. */
function sourceOf(settings: Settings, grant: string, origin: GrantOrigin | undefined): string {
  const model = settings.model;
  if (origin === undefined || model === undefined || origin.perms.includes(grant)) return grant;
  for (const perm of origin.perms) if (model.implied.get(perm)?.includes(grant)) return `${perm} ⇒ ${grant}`;
  const role = roleGranting(model, origin.roles, grant);
  return role === undefined ? grant : `role:${role}`;
}

interface SpanApi {
  trace: { getActiveSpan(): { setAttributes(attributes: Record<string, string | number | string[]>): unknown } | undefined };
}

// @opentelemetry/api is an optional peer dependency: used when the app has it, never required.
const requireHere = createRequire(import.meta.url);
const otel: SpanApi | undefined = (() => {
  try {
    return requireHere('@opentelemetry/api') as SpanApi;
  } catch {
    return undefined;
  }
})();

/**
 * Where the installed @opentelemetry/api keeps what an SDK registers (its
 * context manager among them): `Symbol.for('opentelemetry.js.api.<major>')`
 * on globalThis. Until a context manager is registered no span can be
 * active, and `getActiveSpan()` walks the API's globals only to say so: on
 * every guarded request of an app that merely has the API installed (many
 * libraries depend on it). Undefined when the version cannot be read: then
 * the API is always asked.
 */
const otelGlobals: symbol | undefined = (() => {
  if (otel === undefined) return undefined;
  try {
    let dir = dirname(requireHere.resolve('@opentelemetry/api'));
    for (let depth = 0; depth < 4; depth++, dir = dirname(dir)) {
      const file = join(dir, 'package.json');
      if (!existsSync(file)) continue;
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name !== '@opentelemetry/api') continue;
      const major = typeof manifest.version === 'string' ? /^(\d+)\./.exec(manifest.version)?.[1] : undefined;
      return major === undefined ? undefined : Symbol.for(`opentelemetry.js.api.${major}`);
    }
  } catch {
    // unreadable: fall back to asking the API
  }
  return undefined;
})();

/** True when `@opentelemetry/api` could be loaded: decisions then annotate the active span. */
export const spanApiAvailable = otel !== undefined;

/** True when a span is active now: only then is a decision worth describing for OpenTelemetry. */
export function hasActiveSpan(): boolean {
  if (otel === undefined) return false;
  if (otelGlobals !== undefined && (globalThis as Record<symbol, { context?: unknown } | undefined>)[otelGlobals]?.context === undefined) return false;
  return otel.trace.getActiveSpan() !== undefined;
}

function annotateSpan(event: DecisionEvent): void {
  const span = otel?.trace.getActiveSpan();
  if (span === undefined) return;
  const attributes: Record<string, string | number | string[]> = {
    'apojwt.decision.outcome': event.outcome,
    'apojwt.decision.status': event.status,
    'apojwt.decision.requirement': event.requirement,
    'apojwt.decision.credential': event.credential,
    'apojwt.decision.duration_ms': event.durationMs,
  };
  if (event.code !== undefined) attributes['apojwt.decision.code'] = event.code;
  if (event.sub !== undefined) attributes['enduser.id'] = event.sub;
  if (event.jti !== undefined) attributes['apojwt.token.jti'] = event.jti;
  if (event.keyId !== undefined) attributes['apojwt.api_key.id'] = event.keyId;
  if (event.satisfiedBy.length > 0) attributes['apojwt.decision.satisfied_by'] = [...event.satisfiedBy];
  if (event.unknownRoles.length > 0) attributes['apojwt.decision.unknown_roles'] = [...event.unknownRoles];
  if (event.route !== undefined) attributes['apojwt.decision.route'] = event.route;
  span.setAttributes(attributes);
}
