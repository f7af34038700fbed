import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ApoJwtConfigError, ApoJwtError } from './errors.js';
import { isAlgorithm, isSymmetric, type Algorithm } from './algorithms.js';
import { LocalKeyRing, makeSigningKey, secretToKeyObject, type SigningKey } from './keys.js';
import { configureKeys } from './key-config.js';
import type { KeyRing } from './key-ring.js';
import type { JwkSet } from './jwks.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE, type AccessClaims, type RefreshClaims, type TokenKind } from './claims.js';
import { systemClock, toSeconds, type Clock } from './clock.js';
import { assertNotRevoked, storeUnavailable, verifyToken, type VerifyContext } from './verify.js';
import { VerifiedTokenCache } from './verified-cache.js';
import { compileRequirement, isCompiledRequirement, satisfies, assertPermissions, type PermissionGrant, type PermissionRequirement, type CompiledRequirement } from './permissions.js';
import { MemoryRevocationStore } from './stores/memory-revocation-store.js';
import { MemoryRotationStore } from './stores/memory-rotation-store.js';
import type { RevocationStore } from './stores/revocation-store.js';
import type { RotationStore } from './stores/rotation-store.js';
import { refreshFamilyInScope, runInRefreshFamily } from './refresh-family.js';
import { readHeader } from './header.js';
import { resolveTemplate, type ExceptionHandler, type Finder, type Template } from './template.js';
import { APOJWT_OPTION_KEYS, REFRESH_OPTION_KEYS, type ApoJwtOptions, type RefreshOptions } from './options.js';
import type { JsonObject, RegisteredData, RegisteredPermission, RegisteredRefreshData } from './register.js';
import { createLogin, type LoginContext, type LoginFunction, type LoginOptions, type LoginUser } from './credentials/login.js';
import { decoratorsFor, type BoundDecorators } from './decorators/decorators.js';
import { middlewareFor, type Middleware } from './decorators/middleware.js';
import { refreshEndpoint, type RefreshEndpointOptions } from './http/auth-endpoints.js';
import { authorizeEagerly } from './engine.js';
import { audienceList, knownKeys, nonEmptyString, nonNegativeNumber, optionalFunction, positiveInteger } from './validate.js';

export interface CreateTokenInput<P extends string, D extends object, R extends object> {
  /** Subject: usually the user id. */
  sub?: string;
  permissions?: readonly PermissionGrant<P>[];
  data?: D;
  /** Stored in the refresh token, handed to the refresh handler. */
  refreshData?: R;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

export type CreateTokenResult<HasRefresh extends boolean> = HasRefresh extends true ? TokenPair : string;

interface RefreshConfig {
  readonly key: SigningKey;
  readonly expPeriod: number;
  readonly reuseGracePeriod: number;
  readonly finder: Finder | undefined;
  readonly verify: VerifyContext;
}

const MAX_CLOCK_TOLERANCE = 300;
const ONE_YEAR = 366 * 24 * 3600;

/**
 * One configured instance per service: it issues and verifies tokens, checks
 * permissions, and holds the framework template that decorators use.
 * Every option is validated here; nothing waits for the first request to fail.
 */
export class ApoJwt<
  P extends string = RegisteredPermission,
  D extends object = RegisteredData,
  R extends object = RegisteredRefreshData,
  HasRefresh extends boolean = false,
> {
  readonly algorithm: Algorithm;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly expPeriod: number;
  readonly adminPermission: string | undefined;
  readonly clockTolerance: number;
  readonly realm: string | undefined;
  readonly revocationStore: RevocationStore;
  readonly rotationStore: RotationStore;
  readonly template: Template | undefined;

  private readonly clock: Clock;
  /** RS/PS/ES instances with local keys: rotate and retire keys here. */
  readonly keyRing: KeyRing | undefined;
  private readonly hmacKey: SigningKey | undefined;
  private readonly access: VerifyContext;
  private readonly cache: VerifiedTokenCache | undefined;
  private readonly customTokenFinder: Finder | undefined;
  private readonly customExceptionHandler: ExceptionHandler | undefined;
  private readonly customRefreshFinder: Finder | undefined;
  private refreshConfig: RefreshConfig | undefined;
  private loginFunction: LoginFunction<HasRefresh> | undefined;
  private boundDecorators: BoundDecorators<P> | undefined;

  constructor(options: ApoJwtOptions) {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('ApoJwt needs an options object');
    knownKeys('ApoJwt', options, APOJWT_OPTION_KEYS);
    // null is a bad value, not "the default": only an absent option takes the default.
    const algorithm = options.algorithm === undefined ? 'HS256' : options.algorithm;
    if (!isAlgorithm(algorithm)) {
      throw new ApoJwtConfigError(`algorithm must be one of HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512`);
    }
    this.algorithm = algorithm;
    this.issuer = nonEmptyString('iss', options.iss);
    this.audience = Object.freeze(audienceList('serverAudience', options.serverAudience));
    this.expPeriod = positiveInteger('expPeriod', options.expPeriod, 900, ONE_YEAR);
    this.clockTolerance = nonNegativeNumber('clockTolerance', options.clockTolerance, 0, MAX_CLOCK_TOLERANCE);
    this.adminPermission = options.adminPermission === undefined ? undefined : nonEmptyString('adminPermission', options.adminPermission);
    this.realm = options.realm === undefined ? undefined : realmOption(options.realm);
    this.clock = optionalFunction<Clock>('now', options.now) ?? systemClock;
    const maxTokenBytes = positiveInteger('maxTokenBytes', options.maxTokenBytes, 8192, 1 << 20);

    const { hmacKey, keyRing, resolver: keys } = configureKeys(options, algorithm, this.clock);
    this.hmacKey = hmacKey;
    this.keyRing = keyRing;

    this.revocationStore = options.revocationStore ?? new MemoryRevocationStore();
    this.rotationStore = options.rotationStore ?? new MemoryRotationStore();
    assertStore('revocationStore', this.revocationStore, ['isRevoked', 'revokeToken', 'revokeSubject', 'revokeFamily']);
    assertStore('rotationStore', this.rotationStore, ['consume']);
    if (options.failOpen !== undefined && typeof options.failOpen !== 'boolean') throw new ApoJwtConfigError('failOpen must be a boolean');
    if (options.pythonCompat !== undefined && typeof options.pythonCompat !== 'boolean') throw new ApoJwtConfigError('pythonCompat must be a boolean');

    this.access = Object.freeze({
      algorithm,
      keys,
      issuer: this.issuer,
      audience: new Set(this.audience),
      clockTolerance: this.clockTolerance,
      maxTokenBytes,
      pythonCompat: options.pythonCompat ?? false,
      revocation: this.revocationStore,
      failOpen: options.failOpen ?? false,
      nowSeconds: () => toSeconds(this.clock()),
    });

    if (options.cache !== undefined && options.cache !== false && (options.cache === null || typeof options.cache !== 'object')) {
      throw new ApoJwtConfigError('cache must be false or { max }');
    }
    if (options.cache) knownKeys('cache', options.cache, ['max']);
    this.cache = options.cache === false ? undefined : new VerifiedTokenCache(positiveInteger('cache.max', options.cache?.max, 10_000, 10_000_000));

    this.template = options.template === undefined ? undefined : resolveTemplate(options.template);
    this.customTokenFinder = optionalFunction<Finder>('tokenFinder', options.tokenFinder);
    this.customRefreshFinder = optionalFunction<Finder>('refreshFinder', options.refreshFinder);
    this.customExceptionHandler = optionalFunction<ExceptionHandler>('exceptionHandler', options.exceptionHandler);

    if (options.refresh !== undefined) this.configRefresh(options.refresh);
    if (options.login !== undefined) this.configLogin(options.login);
  }

  /** Turns on refresh tokens. Returns this instance, typed so `createToken` returns a pair. */
  configRefresh(options: RefreshOptions): ApoJwt<P, D, R, true> {
    if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('configRefresh needs an options object');
    knownKeys('refresh', options, REFRESH_OPTION_KEYS);
    const alg = options.refreshAlgorithm === undefined ? 'HS256' : options.refreshAlgorithm;
    if (alg !== 'HS256' && alg !== 'HS384' && alg !== 'HS512') throw new ApoJwtConfigError('refreshAlgorithm must be HS256, HS384 or HS512');
    const key = makeSigningKey(secretToKeyObject(options.refreshSecret, 'refreshSecret'), alg, undefined, 'refreshSecret');
    if (this.access.pythonCompat && this.signingKey !== undefined && this.signingKey.key.type === 'secret' && this.signingKey.key.equals(key.key)) {
      // Python apojwt tokens carry no type, so with equal secrets a refresh
      // token could pass as an access token. Only the secrets keep them apart.
      throw new ApoJwtConfigError('with pythonCompat the refreshSecret must differ from the access secret');
    }
    this.refreshConfig = Object.freeze({
      key,
      expPeriod: positiveInteger('refreshExpPeriod', options.refreshExpPeriod, 86_400, 10 * ONE_YEAR),
      reuseGracePeriod: nonNegativeNumber('reuseGracePeriod', options.reuseGracePeriod, 2, 300),
      finder: optionalFunction<Finder>('refreshFinder', options.refreshFinder),
      verify: Object.freeze({ ...this.access, algorithm: alg, keys: new LocalKeyRing([key]), pythonCompat: false }),
    });
    return this as unknown as ApoJwt<P, D, R, true>;
  }

  get refreshEnabled(): boolean {
    return this.refreshConfig !== undefined;
  }

  /** The key new tokens are signed with (it changes when the key ring rotates). */
  private get signingKey(): SigningKey | undefined {
    return this.keyRing ? this.keyRing.signingKey : this.hmacKey;
  }

  /** The public JWK Set of an RS/PS/ES instance, to serve at /.well-known/jwks.json (see `jwksResponse`). */
  jwks(): JwkSet {
    if (this.keyRing === undefined) {
      throw new ApoJwtConfigError(isSymmetric(this.algorithm) ? `${this.algorithm} keys are secret: there is no JWK Set to publish` : 'this instance holds no local keys to publish');
    }
    return this.keyRing.jwks();
  }

  /** The current time in seconds, on the injected clock. */
  nowSeconds(): number {
    return toSeconds(this.clock());
  }

  // ---- issuing -------------------------------------------------------------

  /**
   * Issues an access token, or the access + refresh pair once refresh is
   * configured. Inside a `@refresh()` handler the new refresh token continues
   * the family of the one presented.
   */
  createToken(input: CreateTokenInput<P, D, R> = {}): CreateTokenResult<HasRefresh> {
    return this.issue(input, refreshFamilyInScope()) as CreateTokenResult<HasRefresh>;
  }

  private issue(input: CreateTokenInput<P, D, R>, family: string | undefined): string | TokenPair {
    const signing = this.signingKey;
    if (signing === undefined) throw new ApoJwtConfigError('this instance only verifies tokens: it holds no signing key');
    const sub = input.sub ?? '';
    if (typeof sub !== 'string') throw new ApoJwtConfigError('createToken: sub must be a string');
    const perms = input.permissions ?? [];
    if (!Array.isArray(perms) || !perms.every((p) => typeof p === 'string' && p.length > 0)) {
      throw new ApoJwtConfigError('createToken: permissions must be an array of non-empty strings');
    }
    const data = plainObject('createToken: data', input.data);
    const now = this.nowSeconds();
    const accessToken = jwt.sign(
      { sub, iss: this.issuer, aud: this.audience, iat: now, nbf: now, exp: now + this.expPeriod, perms: [...perms], data, jti: newId() },
      signing.key,
      { algorithm: signing.alg, header: { alg: signing.alg, typ: ACCESS_TOKEN_TYPE, kid: signing.kid } },
    );
    const refresh = this.refreshConfig;
    if (refresh === undefined) return accessToken;
    const refreshData = plainObject('createToken: refreshData', input.refreshData);
    const refreshToken = jwt.sign(
      { sub, iss: this.issuer, aud: this.audience, iat: now, nbf: now, exp: now + refresh.expPeriod, data: refreshData, jti: newId(), fam: family ?? newId() },
      refresh.key.key,
      { algorithm: refresh.key.alg, header: { alg: refresh.key.alg, typ: REFRESH_TOKEN_TYPE, kid: refresh.key.kid } },
    );
    return { accessToken, refreshToken };
  }

  // ---- login ---------------------------------------------------------------

  /** Sets up `login`: user lookup, hooks and brute-force limits (credentials/login.ts). */
  configLogin<U extends LoginUser<P, D, R>>(options: LoginOptions<U>): this {
    this.loginFunction = createLogin(this, options);
    return this;
  }

  /**
   * Checks a username and password and issues tokens (the pair when refresh
   * is configured). ERR_CREDENTIALS_INVALID for an unknown user or a wrong
   * password alike; ERR_RATE_LIMITED, ERR_ACCOUNT_DISABLED, ERR_BODY_INVALID.
   */
  login(username: string, password: string, context?: LoginContext): Promise<CreateTokenResult<HasRefresh>> {
    if (this.loginFunction === undefined) throw new ApoJwtConfigError('login needs a user lookup: pass `login` options or call configLogin first');
    return this.loginFunction(username, password, context);
  }

  // ---- verifying -----------------------------------------------------------

  /** Verifies an access token (see verify.ts for every step) and returns its claims. */
  async verify(token: string): Promise<AccessClaims<PermissionGrant<P>, D>> {
    return this.cachedClaims(token) ?? this.verifyAndCache(token);
  }

  /** Every check of verify.ts (the cache already missed), then the claims are cached. */
  private async verifyAndCache(token: string): Promise<AccessClaims<PermissionGrant<P>, D>> {
    const claims = freezeClaims(await verifyToken(token, 'access', this.access));
    this.cache?.set(token, claims);
    return claims as unknown as AccessClaims<PermissionGrant<P>, D>;
  }

  /**
   * The claims `verify` would return, when they are known without waiting:
   * the token is in the verified cache (verified before, not expired) and the
   * revocation store answered synchronously (memory store, Redis mirror) that
   * it is not revoked. Throws what `verify` throws for it (ERR_TOKEN_REVOKED,
   * ERR_STORE_UNAVAILABLE). Undefined otherwise — not cached, expired, cache
   * off, or a store that answers with a promise: then call `verify`.
   */
  tryVerifySync(token: string): AccessClaims<PermissionGrant<P>, D> | undefined {
    const hit = this.cachedClaims(token);
    if (!(hit instanceof Promise)) return hit;
    hit.catch(ignore); // an asynchronous store's answer: `verify` asks again and decides
    return undefined;
  }

  /**
   * A verified-cache hit with revocation checked, synchronously when the
   * store answers synchronously; undefined on a miss. The cache only holds
   * tokens that passed every check of verify.ts, and an entry is never
   * served at or after its `exp` (+ tolerance).
   */
  private cachedClaims(token: string): AccessClaims<PermissionGrant<P>, D> | Promise<AccessClaims<PermissionGrant<P>, D>> | undefined {
    const cache = this.cache;
    if (cache === undefined || typeof token !== 'string') return undefined;
    const now = this.nowSeconds();
    const hit = cache.get(token, now, this.clockTolerance) as unknown as AccessClaims<PermissionGrant<P>, D> | undefined;
    if (hit === undefined) return undefined;
    const revocation = assertNotRevoked(this.access, hit as unknown as Record<string, unknown>, now);
    return revocation === undefined ? hit : revocation.then(() => hit);
  }

  /** Verifies a refresh token (type, signature, expiry, revocation of it and of its family). */
  async verifyRefresh(token: string): Promise<RefreshClaims<R>> {
    const refresh = this.requireRefresh('verifyRefresh');
    return freezeClaims(await verifyToken(token, 'refresh', refresh.verify)) as unknown as RefreshClaims<R>;
  }

  /** Verifies the token and, when given, the permission requirement (403 when it is not met). */
  async authorize(token: string, requirement?: PermissionRequirement<P> | CompiledRequirement): Promise<AccessClaims<PermissionGrant<P>, D>> {
    const claims = await this.verify(token);
    return requirement === undefined ? claims : this.permitted(claims, requirement);
  }

  /**
   * `authorize` for the decorators' guard, every request: the same checks,
   * answered (or thrown) synchronously on a verified-cache hit whose
   * revocation store answers synchronously, and `authorize`'s promise
   * otherwise. An instance whose `verify` or `authorize` is overridden always
   * goes through them.
   */
  [authorizeEagerly](token: string, requirement: CompiledRequirement | undefined): AccessClaims<PermissionGrant<P>, D> | Promise<AccessClaims<PermissionGrant<P>, D>> {
    if (this.verify !== ApoJwt.prototype.verify || this.authorize !== ApoJwt.prototype.authorize) {
      return Promise.resolve(this.authorize(token, requirement));
    }
    // One cache lookup: a miss goes straight to the full verification.
    const claims = this.cachedClaims(token) ?? this.verifyAndCache(token);
    if (requirement === undefined) return claims;
    return claims instanceof Promise ? claims.then((verified) => this.permitted(verified, requirement)) : this.permitted(claims, requirement);
  }

  private permitted(claims: AccessClaims<PermissionGrant<P>, D>, requirement: PermissionRequirement<P> | CompiledRequirement): AccessClaims<PermissionGrant<P>, D> {
    assertPermissions(claims.perms, toCompiled(requirement), this.adminPermission);
    return claims;
  }

  /** True when the claims meet the requirement (admin, wildcards, all/any). */
  hasPermission(claims: { perms: readonly string[] }, requirement: PermissionRequirement<P>): boolean {
    return satisfies(claims.perms, compileRequirement(requirement), this.adminPermission);
  }

  // ---- refresh rotation ----------------------------------------------------

  /**
   * Single use: verifies the refresh token and marks it consumed. A token
   * consumed before is a replay: after the grace period its whole family is
   * revoked (theft detection) and ERR_REFRESH_REUSED is thrown.
   */
  async consumeRefresh(token: string): Promise<RefreshClaims<R>> {
    const refresh = this.requireRefresh('consumeRefresh');
    const claims = await this.verifyRefresh(token);
    const now = this.nowSeconds();
    let firstUse: number | undefined;
    try {
      // Remember the use for as long as the token verifies: exp plus the tolerance.
      const answer = this.rotationStore.consume(claims.jti, claims.exp + this.clockTolerance, now);
      firstUse = answer instanceof Promise ? await answer : answer;
    } catch (error) {
      throw storeUnavailable(error);
    }
    if (firstUse === undefined) return claims;
    // A grace period of 0 means none: reuse in the same second revokes too.
    if (refresh.reuseGracePeriod === 0 || now - firstUse > refresh.reuseGracePeriod) {
      await this.storeCall(() => this.revocationStore.revokeFamily(claims.fam, now + refresh.expPeriod + this.clockTolerance, now));
      throw new ApoJwtError('ERR_REFRESH_REUSED', 'the refresh token was already used; its sessions are revoked');
    }
    throw new ApoJwtError('ERR_REFRESH_REUSED', 'the refresh token was already used');
  }

  /**
   * Consumes the refresh token and issues a new pair in the same family.
   * `issue` supplies the new tokens' contents (look up current permissions
   * there); by default the subject and refresh data carry over and the access
   * token gets no permissions.
   */
  async rotate(
    refreshToken: string,
    issue?: (claims: RefreshClaims<R>) => CreateTokenInput<P, D, R> | Promise<CreateTokenInput<P, D, R>>,
  ): Promise<TokenPair> {
    const claims = await this.consumeRefresh(refreshToken);
    const input = issue ? await issue(claims) : { sub: claims.sub, refreshData: claims.data };
    return this.issue({ sub: claims.sub, ...input }, claims.fam) as TokenPair;
  }

  /** Runs `fn` so that `createToken` inside it continues `claims`' refresh family. */
  withinRefreshFamily<T>(claims: { fam: string }, fn: () => T): T {
    return runInRefreshFamily(claims.fam, fn);
  }

  // ---- revocation ----------------------------------------------------------

  /**
   * Revokes a token (access or refresh; a refresh token takes its whole
   * family with it) or a bare `jti`. Revoking a token that is already expired
   * or revoked does nothing.
   */
  async revoke(tokenOrJti: string): Promise<void> {
    if (typeof tokenOrJti !== 'string' || tokenOrJti.length === 0) throw new ApoJwtConfigError('revoke needs a token or a jti');
    const now = this.nowSeconds();
    if (!tokenOrJti.includes('.')) {
      const until = now + this.longestLifetime() + this.clockTolerance;
      return this.storeCall(() => this.revocationStore.revokeToken(tokenOrJti, until, now));
    }
    const kind: TokenKind = readHeader(tokenOrJti.slice(0, tokenOrJti.indexOf('.'))).typ === REFRESH_TOKEN_TYPE ? 'refresh' : 'access';
    let claims: { jti: string; exp: number; fam?: string };
    try {
      claims = kind === 'refresh' ? await this.verifyRefresh(tokenOrJti) : await this.verify(tokenOrJti);
    } catch (error) {
      if (error instanceof ApoJwtError && (error.code === 'ERR_TOKEN_EXPIRED' || error.code === 'ERR_TOKEN_REVOKED')) return;
      throw error;
    }
    if (claims.jti === undefined) {
      // A Python apojwt token (pythonCompat) has no id to revoke: saying so
      // beats returning as if it had been revoked.
      throw new ApoJwtConfigError('this token has no jti (a Python apojwt token): revoke its subject instead');
    }
    const until = claims.exp + this.clockTolerance;
    await this.storeCall(() => this.revocationStore.revokeToken(claims.jti, until, now));
    if (claims.fam !== undefined) {
      const familyUntil = now + this.requireRefresh('revoke').expPeriod + this.clockTolerance;
      await this.storeCall(() => this.revocationStore.revokeFamily(claims.fam as string, familyUntil, now));
    }
  }

  /**
   * Revokes every token of `sub` issued up to now (this second included, and
   * `clockTolerance` seconds beyond, for issuers whose clock runs ahead).
   */
  async revokeSubject(sub: string): Promise<void> {
    if (typeof sub !== 'string') throw new ApoJwtConfigError('revokeSubject needs a subject string');
    const now = this.nowSeconds();
    // An issuer whose clock runs ahead (within clockTolerance) stamps iat up
    // to `clockTolerance` seconds after our now: those tokens were issued
    // before the revocation too, so the cut-off moves forward by as much.
    const revokedAt = now + this.clockTolerance;
    const until = revokedAt + this.longestLifetime() + this.clockTolerance;
    await this.storeCall(() => this.revocationStore.revokeSubject(sub, revokedAt, until, now));
  }

  // ---- template slots ------------------------------------------------------

  get tokenFinder(): Finder | undefined {
    return this.customTokenFinder ?? this.template?.tokenFinder;
  }

  get refreshFinder(): Finder | undefined {
    return this.refreshConfig?.finder ?? this.customRefreshFinder ?? this.template?.refreshFinder;
  }

  get exceptionHandler(): ExceptionHandler | undefined {
    return this.customExceptionHandler ?? this.template?.exceptionHandler;
  }

  // ---- decorators and middleware (engine in decorators/) -------------------

  /** Decorators bound to this instance: `@apo.decorators.permissionRequired('orders:read')`. */
  get decorators(): BoundDecorators<P> {
    return (this.boundDecorators ??= decoratorsFor<P>(this));
  }

  /** Middleware: a valid access token is required (401 otherwise). */
  tokenRequired(): Middleware {
    return middlewareFor({ kind: 'token', requirement: undefined, apo: this });
  }

  /** Middleware: a valid access token (401) holding the permission(s) (403). */
  permissionRequired(requirement: PermissionRequirement<P>): Middleware {
    return middlewareFor({ kind: 'permission', requirement: compileRequirement(requirement), apo: this });
  }

  /** Middleware: consumes a refresh token; `createToken` after it continues the token's family. */
  refresh(): Middleware {
    return middlewareFor({ kind: 'refresh', requirement: undefined, apo: this });
  }

  /** A ready-made refresh endpoint: rotates the pair, sets the refresh cookie, answers the access token (`authEndpoints(apo).refresh`). */
  refreshEndpoint(options?: RefreshEndpointOptions<P, D, R>): Middleware {
    return refreshEndpoint(this, options as unknown as RefreshEndpointOptions);
  }

  get refreshExpPeriod(): number | undefined {
    return this.refreshConfig?.expPeriod;
  }

  private requireRefresh(what: string): RefreshConfig {
    if (this.refreshConfig === undefined) throw new ApoJwtConfigError(`${what} needs refresh tokens: call configRefresh first`);
    return this.refreshConfig;
  }

  private longestLifetime(): number {
    return Math.max(this.expPeriod, this.refreshConfig?.expPeriod ?? 0);
  }

  private async storeCall(write: () => void | Promise<void>): Promise<void> {
    try {
      await write();
    } catch (error) {
      throw storeUnavailable(error);
    }
  }
}

function assertStore(name: string, store: unknown, methods: string[]): void {
  for (const method of methods) {
    if (typeof (store as Record<string, unknown> | null)?.[method] !== 'function') {
      throw new ApoJwtConfigError(`${name} must implement ${methods.join(', ')}`);
    }
  }
}

function realmOption(realm: unknown): string {
  // The realm is quoted in WWW-Authenticate: no quotes or backslashes inside.
  if (typeof realm !== 'string' || !/^[\x20\x21\x23-\x5b\x5d-\x7e]+$/.test(realm)) {
    throw new ApoJwtConfigError('realm must be printable ASCII without quotes or backslashes');
  }
  return realm;
}

function plainObject(name: string, value: unknown): JsonObject {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApoJwtConfigError(`${name} must be a plain object`);
  return value as JsonObject;
}

function toCompiled(requirement: PermissionRequirement | CompiledRequirement): CompiledRequirement {
  return isCompiledRequirement(requirement) ? requirement : compileRequirement(requirement as PermissionRequirement);
}

function ignore(): void {}

/** 128 random bits, base64url: token ids and family ids. */
function newId(): string {
  return randomBytes(16).toString('base64url');
}

/** Verified claims are shared by every request that hits the cache: make them read-only. */
function freezeClaims(claims: Record<string, unknown>): Record<string, unknown> {
  Object.freeze(claims['perms']);
  Object.freeze(claims['data']);
  Object.freeze(claims['aud']);
  return Object.freeze(claims);
}
