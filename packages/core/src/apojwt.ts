import { ApoJwtConfigError } from './errors.js';
import type { AccessClaims, RefreshClaims } from './claims.js';
import { nowSeconds, requireRefresh, resolveConfig, withRefresh } from './config.js';
import { issueAccessToken, issueTokens, type AccessTokenOverrides } from './issuer.js';
import type { CreateTokenInput, CreateTokenResult, TokenPair } from './tokens.js';
import { Verifier } from './verifier.js';
import { GuardFactories } from './guard-factories.js';
import { consumeVerifiedRefresh, rotateFamily } from './refresh-rotation.js';
import { revoke, revokeFamily, revokeSubject } from './revocation.js';
import { refreshFamilyInScope, runInRefreshFamily } from './refresh-family.js';
import type { CompiledRequirement, PermissionGrant, PermissionRequirement } from './permissions.js';
import type { ApoJwtOptions, RefreshOptions } from './options.js';
import type { RegisteredData, RegisteredPermission, RegisteredRefreshData, RegisteredRole } from './register.js';
import type { LoginContext, LoginFunction, LoginIssuer, LoginSetup } from './login-setup.js';
import { authorizeApiKeyEagerly, authorizeEagerly, authorizeHeaderEagerly } from './engine.js';
import { requiredBearerOfHeader } from './http/credentials.js';
import type { ApiKeys } from './api-keys/api-keys.js';
import type { ApiKeyClaims } from './api-keys/api-key-claims.js';
import { instanceApiKeys, underKeyScheme } from './api-keys/instance-keys.js';
import type { RotatingEngine } from './http/refresh-endpoint.js';
import type { PolicyInput, Rule } from './policy.js';
import { DecisionReporter } from './reported-authorize.js';

/**
 * One configured instance per service: it issues and verifies tokens, checks
 * permissions, and holds the framework template that decorators use. A façade:
 * options are resolved once (config.ts), and each job is done by its module
 * (issuer, verifier, refresh-rotation, revocation).
 */
export class ApoJwt<
  P extends string = RegisteredPermission,
  D extends object = RegisteredData,
  R extends object = RegisteredRefreshData,
  HasRefresh extends boolean = false,
  Ro extends string = RegisteredRole,
> extends GuardFactories<P, D, R> {
  private readonly verifier: Verifier;
  private loginFunction: LoginFunction<HasRefresh> | undefined;
  private readonly decisions: DecisionReporter;
  /** API keys (`apiKeys` option): create, list, revoke, rotate, verify; undefined when not configured. */
  readonly apiKeys: ApiKeys | undefined;

  constructor(options: ApoJwtOptions) {
    const config = resolveConfig(options);
    super(config);
    this.verifier = new Verifier(config.access, config.cacheMax, config.adminPermission, config.wildcards, config.permissionModel);
    this.apiKeys = instanceApiKeys(options.apiKeys, config.clock, config.permissionModel);
    this.decisions = new DecisionReporter(config.onDecision, this.verifier);
    if (options.login !== undefined) this.configLogin(options.login);
  }

  /** Turns on refresh tokens. Returns this instance, typed so `createToken` returns a pair. */
  configRefresh(options: RefreshOptions): ApoJwt<P, D, R, true, Ro> {
    this.config = withRefresh(this.config, options);
    return this as unknown as ApoJwt<P, D, R, true, Ro>;
  }
  get loginEnabled(): boolean {
    return this.loginFunction !== undefined;
  }

  /** An access token, or the access + refresh pair once refresh is configured; inside a `@refresh()` handler the pair continues the family of the one presented. */
  createToken(input: CreateTokenInput<P, D, R, Ro> = {}): CreateTokenResult<HasRefresh> {
    return issueTokens(this.config, input, refreshFamilyInScope()) as CreateTokenResult<HasRefresh>;
  }
  /** One access token and never a refresh token, optionally narrowed: another audience, a shorter life, an acting service (service tokens, RFC 8693 token exchange). */
  createAccessToken(input: CreateTokenInput<P, D, R> = {}, overrides?: AccessTokenOverrides): string {
    return issueAccessToken(this.config, input, overrides);
  }
  /** Sets up `login` from a login setup: `configLogin(passwordLogin({ getUser }))` (@apojwt/auth). */
  configLogin(setup: LoginSetup): this {
    if (typeof setup !== 'function') throw new ApoJwtConfigError('login takes a login setup, such as passwordLogin({ getUser }) from @apojwt/auth');
    // A setup is written before the instance exists, so for any permission
    // names and payloads: it is given this instance as such an issuer.
    this.loginFunction = setup(this as LoginIssuer) as LoginFunction<HasRefresh>;
    return this;
  }
  /** Checks a username and password and issues tokens; ERR_CREDENTIALS_INVALID, ERR_RATE_LIMITED, ERR_ACCOUNT_DISABLED, ERR_BODY_INVALID. */
  login(username: string, password: string, context?: LoginContext): Promise<CreateTokenResult<HasRefresh>> {
    if (this.loginFunction === undefined) throw new ApoJwtConfigError('login needs a login setup: pass `login: passwordLogin({ getUser })` (@apojwt/auth) or call configLogin first');
    return this.loginFunction(username, password, context);
  }

  /** Verifies an access token (see verify.ts for every step) and returns its claims. */
  verify(token: string): Promise<AccessClaims<PermissionGrant<P>, D>> {
    return this.verifier.verify(token) as Promise<AccessClaims<PermissionGrant<P>, D>>;
  }
  /** The claims `verify` would return when known without waiting (cache hit, synchronous store); throws what `verify` throws; undefined otherwise. */
  tryVerifySync(token: string): AccessClaims<PermissionGrant<P>, D> | undefined {
    return this.verifier.tryVerifySync(token) as AccessClaims<PermissionGrant<P>, D> | undefined;
  }
  /** Verifies a refresh token (type, signature, expiry, revocation of it and of its family). */
  async verifyRefresh(token: string): Promise<RefreshClaims<R>> {
    return (await this.verifier.verifyRefresh(token, requireRefresh(this.config, 'verifyRefresh').verify)) as RefreshClaims<R>;
  }
  /**
   * Verifies the token and, when given, the permission requirement or rule
   * (403 when it is not met). `input` is what a rule is told about the call
   * outside HTTP: `authorize(token, owner, { args: [message] })`.
   */
  async authorize(token: string, requirement?: PermissionRequirement<P> | CompiledRequirement | Rule, input?: PolicyInput): Promise<AccessClaims<PermissionGrant<P>, D>> {
    if (this.decisions.wanted())
      return (await this.decisions.authorize((t) => this.verify(t) as Promise<AccessClaims>, token, requirement as PermissionRequirement, input)) as AccessClaims<PermissionGrant<P>, D>;
    const claims = await this.verify(token);
    return requirement === undefined ? claims : this.verifier.permitted(claims, requirement as PermissionRequirement, input);
  }
  /** The guard's `authorize`, synchronous when every step can be; an overridden `verify` or `authorize` is always honoured. */
  [authorizeEagerly](
    token: string,
    requirement: CompiledRequirement | Rule | undefined,
    input?: PolicyInput,
  ): AccessClaims<PermissionGrant<P>, D> | Promise<AccessClaims<PermissionGrant<P>, D>> {
    if (this.overridesVerification()) return Promise.resolve(this.authorize(token, requirement, input));
    const claims = this.decisions.wanted() ? this.decisions.eagerly(token, requirement, input) : this.verifier.authorizeEagerly(token, requirement, input);
    return claims as AccessClaims<PermissionGrant<P>, D>;
  }
  /** True when a subclass replaced `verify` or `authorize`: the guard's eager paths then go through them. */
  private overridesVerification(): boolean {
    return this.verify !== OWN_VERIFY || this.authorize !== OWN_AUTHORIZE;
  }
  /** The guard's `authorize` for the request's Authorization header value; what `[authorizeEagerly]` answers for its token. */
  [authorizeHeaderEagerly](
    header: string,
    requirement: CompiledRequirement | Rule | undefined,
    input: PolicyInput | undefined,
    observed: boolean,
  ): AccessClaims<PermissionGrant<P>, D> | Promise<AccessClaims<PermissionGrant<P>, D>> {
    if (!observed && !this.overridesVerification())
      return this.verifier.authorizeHeaderEagerly(header, requirement, input) as AccessClaims<PermissionGrant<P>, D> | Promise<AccessClaims<PermissionGrant<P>, D>>;
    // An overridden verify or authorize, or a decision to report: the token goes the way of every other.
    return this[authorizeEagerly](requiredBearerOfHeader(header), requirement, input);
  }
  /** Verifies an API key (see api-keys/api-keys.ts for every step) and, when given, the requirement or rule, by a token's permission rules (403). */
  async authorizeApiKey(key: string, requirement?: PermissionRequirement<P> | CompiledRequirement | Rule, input?: PolicyInput): Promise<ApiKeyClaims<P>> {
    return (await this[authorizeApiKeyEagerly](key, requirement as CompiledRequirement | Rule | undefined, input)) as ApiKeyClaims<P>;
  }
  /** The guard's `authorizeApiKey`: synchronous on a cache hit with a synchronous requirement. */
  [authorizeApiKeyEagerly](key: string, requirement: CompiledRequirement | Rule | undefined, input?: PolicyInput): ApiKeyClaims | Promise<ApiKeyClaims> {
    const keys = this.apiKeys;
    if (keys === undefined) throw new ApoJwtConfigError('this route accepts API keys but the instance has none: pass the apiKeys option to createApoJwt');
    const scheme = keys.challengeScheme;
    const refused = (error: unknown): never => {
      throw underKeyScheme(error, scheme);
    };
    const permitted = (claims: ApiKeyClaims): ApiKeyClaims | Promise<ApiKeyClaims> =>
      requirement === undefined ? claims : (this.verifier.permitted(claims as unknown as AccessClaims, requirement, input) as unknown as ApiKeyClaims | Promise<ApiKeyClaims>);
    try {
      // Reported only while someone listens: otherwise nothing is timed or built for the event.
      const allowed = this.decisions.wanted()
        ? this.decisions.apiKey(
            key,
            (k) => keys.idOf(k),
            (k) => keys.verifyEagerly(k),
            permitted,
            requirement,
            input,
          )
        : verifyThen(keys.verifyEagerly(key), permitted);
      return allowed instanceof Promise ? allowed.catch(refused) : allowed;
    } catch (error) {
      return refused(error);
    }
  }
  /**
   * Decisions are reported now (an `onDecision` hook, or an OpenTelemetry
   * span active): only then are they timed and described, and only then does
   * the guard work out the route for them. With `@opentelemetry/api`
   * installed but no span active, a request pays for neither.
   */
  get observesDecisions(): boolean {
    return this.decisions.wanted();
  }
  /** True when the claims meet the requirement (admin, wildcards, all/any). */
  hasPermission(claims: { perms: readonly string[]; roles?: readonly string[] }, requirement: PermissionRequirement<P>): boolean {
    return this.verifier.hasPermission(claims, requirement as PermissionRequirement);
  }

  /** Single use: verifies the refresh token and marks it consumed; a replay after the grace period revokes its family (ERR_REFRESH_REUSED). */
  async consumeRefresh(token: string): Promise<RefreshClaims<R>> {
    requireRefresh(this.config, 'consumeRefresh');
    return consumeVerifiedRefresh(this.config, await this.verifyRefresh(token));
  }
  /** Consumes the refresh token and issues a new pair in the same family; `issue` supplies the contents (default: subject and refresh data carry over). */
  async rotate(refreshToken: string, issue?: (claims: RefreshClaims<R>) => CreateTokenInput<P, D, R, Ro> | Promise<CreateTokenInput<P, D, R, Ro>>): Promise<TokenPair> {
    return rotateFamily(this.config, await this.consumeRefresh(refreshToken), issue);
  }
  /** Runs `fn` so that `createToken` inside it continues `claims`' refresh family. */
  withinRefreshFamily<T>(claims: { fam: string }, fn: () => T): T {
    return runInRefreshFamily(claims.fam, fn);
  }
  /** Revokes a token (a refresh token with its family) or a bare `jti`; an expired or revoked one needs nothing. */
  revoke(tokenOrJti: string): Promise<void> {
    return revoke(this.config, this, tokenOrJti);
  }
  /** Revokes every token of `sub` issued up to now (and `clockTolerance` seconds beyond). */
  revokeSubject(sub: string): Promise<void> {
    return revokeSubject(this.config, sub);
  }
  /** Revokes a refresh family by its id (the `fam` claim): one session, every token descended from one login. */
  revokeFamily(fam: string): Promise<void> {
    if (typeof fam !== 'string' || fam.length === 0) return Promise.reject(new ApoJwtConfigError('revokeFamily needs a family id'));
    return revokeFamily(this.config, fam, nowSeconds(this.config));
  }

  /** What the decorators and middleware run against: this instance (GuardFactories). */
  protected get engine(): RotatingEngine {
    return this as unknown as RotatingEngine;
  }
}

// Read once: `ApoJwt.prototype.verify` read on every request called V8's generic property load (bench/adapters.md, "The header pass").
const OWN_VERIFY = ApoJwt.prototype.verify;
const OWN_AUTHORIZE = ApoJwt.prototype.authorize;

/** The key's claims through the requirement, with no promise made when both answer at once. */
function verifyThen(claims: ApiKeyClaims | Promise<ApiKeyClaims>, permitted: (claims: ApiKeyClaims) => ApiKeyClaims | Promise<ApiKeyClaims>): ApiKeyClaims | Promise<ApiKeyClaims> {
  return claims instanceof Promise ? claims.then(permitted) : permitted(claims);
}
