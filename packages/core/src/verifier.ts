import type { AccessClaims, RefreshClaims } from './claims.js';
import { requiredBearerOfHeader } from './http/credentials.js';
import { assertNotRevoked, verifyToken, type VerifyContext } from './verify.js';
import { VerifiedTokenCache, type CachedToken, type KeyEpoch } from './verified-cache.js';
import { expandGrants, type PermissionModel } from './permission-model.js';
import type { GrantOrigin } from './decision-events.js';
import { evaluateRule, isRule, ruleDenied, type PolicyInput, type Rule } from './policy.js';
import { assertPermissions, holdsPermission, compileRequirement, isCompiledRequirement, satisfies, type CompiledRequirement, type PermissionRequirement } from './permissions.js';

/**
 * Access-token verification for one instance: verify.ts's checks, the
 * verified-token cache in front of them, the synchronous fast path the
 * decorators' guard uses, and the permission step. Every guarded request
 * comes through here: one cache lookup, and on a hit with a synchronous
 * revocation store no promise, no crypto and no allocation.
 */
export class Verifier {
  private readonly cache: VerifiedTokenCache | undefined;
  /** What the token itself carried, beside claims whose grants were expanded (decision events read it). */
  readonly origins = new WeakMap<object, GrantOrigin>();

  constructor(
    private readonly access: VerifyContext,
    cacheMax: number | undefined,
    readonly adminPermission: string | undefined,
    readonly wildcards: boolean,
    readonly model: PermissionModel | undefined = undefined,
  ) {
    this.cache = cacheMax === undefined ? undefined : new VerifiedTokenCache(cacheMax, access.keys as KeyEpoch);
  }

  /** Verifies an access token (see verify.ts for every step) and returns its claims. */
  async verify(token: string): Promise<AccessClaims> {
    return this.cachedClaims(token) ?? this.verifyAndCache(token);
  }

  /** Verifies a refresh token against the refresh context (no cache: each is used once). */
  async verifyRefresh(token: string, refresh: VerifyContext): Promise<RefreshClaims> {
    return freezeClaims(await verifyToken(token, 'refresh', refresh)) as unknown as RefreshClaims;
  }

  /** The claims when known without waiting (see ApoJwt.tryVerifySync); undefined otherwise. */
  tryVerifySync(token: string): AccessClaims | undefined {
    const hit = this.cachedClaims(token);
    if (!(hit instanceof Promise)) return hit;
    hit.catch(ignore); // an asynchronous store's answer: `verify` asks again and decides
    return undefined;
  }

  /** `authorize` answered synchronously when every step can be: the guard's path. */
  authorizeEagerly(token: string, requirement: CompiledRequirement | Rule | undefined, input?: PolicyInput): AccessClaims | Promise<AccessClaims> {
    // One cache lookup: a miss goes straight to the full verification.
    const now = this.access.nowSeconds();
    const hit = this.cachedEntry(token, now);
    return hit !== undefined ? this.authorizeHit(hit, now, requirement, input) : this.authorizeLater(this.verifyAndCache(token), requirement, input);
  }

  /**
   * `authorizeEagerly` for the token of an Authorization header value (the
   * request's one header, as sent). A header seen before with a token that
   * is still cached is served without parsing it again; any other is parsed
   * by the Bearer rule (ERR_REQUEST_MALFORMED, 400, for a malformed one;
   * ERR_TOKEN_MISSING, 401, for another scheme), then verified or found as
   * `authorizeEagerly` would, and the header is remembered with the token.
   */
  authorizeHeaderEagerly(header: string, requirement: CompiledRequirement | Rule | undefined, input?: PolicyInput): AccessClaims | Promise<AccessClaims> {
    const now = this.access.nowSeconds();
    const seen = this.cache?.getByHeader(header, now, this.access.clockTolerance);
    if (seen !== undefined) return this.authorizeHit(seen, now, requirement, input);
    // Not seen with a cached token: the Bearer rule, then the token's own hit or every check; the header is remembered with it.
    const token = requiredBearerOfHeader(header);
    const hit = this.cachedEntry(token, now, header);
    return hit !== undefined ? this.authorizeHit(hit, now, requirement, input) : this.authorizeLater(this.verifyAndCache(token, header), requirement, input);
  }

  /** A cache hit: revocation checked (on every request), then the requirement, read against the entry's grants list. */
  private authorizeHit(hit: CachedToken, now: number, requirement: CompiledRequirement | Rule | undefined, input: PolicyInput | undefined): AccessClaims | Promise<AccessClaims> {
    const claims = hit.claims as unknown as AccessClaims;
    const revocation = assertNotRevoked(this.access, hit.claims, now);
    if (revocation !== undefined) return revocation.then(() => (requirement === undefined ? claims : this.permitted(claims, requirement, input)));
    return requirement === undefined ? claims : this.permitted(claims, requirement, input, hit.grants);
  }

  /** Claims still being verified, then the requirement. */
  private authorizeLater(claims: Promise<AccessClaims>, requirement: CompiledRequirement | Rule | undefined, input: PolicyInput | undefined): Promise<AccessClaims> {
    return requirement === undefined ? claims : claims.then((verified) => this.permitted(verified, requirement, input));
  }

  /**
   * The claims when they meet the requirement or rule; ERR_PERMISSION_DENIED
   * (403) otherwise. Synchronous unless a policy of the rule answers later.
   */
  permitted<C extends AccessClaims<string, object>>(
    claims: C,
    requirement: PermissionRequirement | CompiledRequirement | Rule,
    input?: PolicyInput,
    granted: readonly string[] = claims.perms,
  ): C | Promise<C> {
    // A compiled requirement (every decorator's) is never a rule: checked once, used as it is.
    if (isCompiledRequirement(requirement)) {
      assertPermissions(granted, requirement, this.adminPermission, this.wildcards);
      return claims;
    }
    if (!isRule(requirement)) {
      assertPermissions(claims.perms, compileRequirement(requirement), this.adminPermission, this.wildcards);
      return claims;
    }
    const holds = (name: string): boolean => holdsPermission(claims.perms, name, this.adminPermission, this.wildcards);
    const verdict = evaluateRule(requirement, { claims, args: input?.args ?? NO_ARGS, request: input?.request }, holds);
    if (verdict instanceof Promise) {
      return verdict.then((allowed) => {
        if (!allowed) throw ruleDenied(requirement);
        return claims;
      });
    }
    if (!verdict) throw ruleDenied(requirement);
    return claims;
  }

  /** True when the claims meet the requirement (admin, wildcards unless turned off, all/any). */
  hasPermission(claims: { perms: readonly string[]; roles?: readonly string[] }, requirement: PermissionRequirement): boolean {
    // Verified claims are already expanded; expanding again adds nothing, and covers hand-built ones.
    const granted = this.model === undefined ? claims.perms : expandGrants(this.model, claims.perms, claims.roles).grants;
    return satisfies(granted, compileRequirement(requirement), this.adminPermission, this.wildcards);
  }

  /**
   * A verified-cache hit with revocation checked, synchronously when the
   * store answers synchronously; undefined on a miss. The cache only holds
   * tokens that passed every check of verify.ts, and an entry is never
   * served at or after its `exp` (+ tolerance).
   */
  private cachedClaims(token: string): AccessClaims | Promise<AccessClaims> | undefined {
    const now = this.access.nowSeconds();
    const hit = this.cachedEntry(token, now);
    return hit === undefined ? undefined : this.authorizeHit(hit, now, undefined, undefined);
  }

  /** The cache's entry for the token (the header it came in remembered, when given); undefined on a miss or with the cache off. */
  private cachedEntry(token: string, now: number, header?: string): CachedToken | undefined {
    return this.cache === undefined || typeof token !== 'string' ? undefined : this.cache.get(token, now, this.access.clockTolerance, header);
  }

  /** Every check of verify.ts (the cache already missed), then the claims are cached. */
  private async verifyAndCache(token: string, header?: string): Promise<AccessClaims> {
    const epoch = this.cache?.keyEpoch();
    const claims = freezeClaims(this.expand(await verifyToken(token, 'access', this.access)));
    this.cache?.set(token, claims, epoch, header);
    return claims as unknown as AccessClaims;
  }

  /**
   * Roles and implications applied once per verification, before caching:
   * a cache hit then serves the expanded grants with no further work.
   */
  private expand(claims: Record<string, unknown>): Record<string, unknown> {
    const model = this.model;
    if (model === undefined) {
      // No declaration: a roles claim grants nothing here, and decision events say which roles were ignored.
      const roles = claims['roles'] as string[] | undefined;
      if (roles !== undefined && roles.length > 0) this.origins.set(claims, Object.freeze({ perms: claims['perms'] as string[], roles, unknownRoles: roles }));
      return claims;
    }
    const perms = claims['perms'] as string[];
    const roles = claims['roles'] as string[] | undefined;
    const { grants, unknownRoles } = expandGrants(model, perms, roles);
    if (grants === perms && unknownRoles.length === 0) return claims;
    claims['perms'] = grants;
    this.origins.set(claims, Object.freeze({ perms: Object.freeze([...perms]), roles, unknownRoles }));
    return claims;
  }
}

const NO_ARGS: readonly unknown[] = Object.freeze([]);

function ignore(): void {}

/** Verified claims are shared by every request that hits the cache: make them read-only. */
function freezeClaims(claims: Record<string, unknown>): Record<string, unknown> {
  Object.freeze(claims['perms']);
  Object.freeze(claims['roles']);
  Object.freeze(claims['data']);
  Object.freeze(claims['aud']);
  return Object.freeze(claims);
}
