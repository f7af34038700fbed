import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  ApoJwtConfigError,
  ApoJwtError,
  accessTokenMissing,
  authorizationHeader,
  authorizeHeaderNow,
  authorizeNow,
  checkFailure,
  frameworkError,
  isApoJwtError,
  isRule,
  selectCredential,
  type AccessClaims,
  type AcceptedCredentials,
  type CompiledRequirement,
  type Rule,
} from '@apojwt/core';
import { APOJWT_MODULE_OPTIONS } from './tokens.js';
import { decide, handlerName, type Decision } from './decision.js';
import { accessTokenOf, attachAccess, attachRefresh, rawRequestOf, refreshTokenOf, rememberFamily } from './request.js';
import type { ResolvedModuleOptions } from './options.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;
type CheckDecision = Extract<Decision, { kind: 'check' }>;
type Claims = AccessClaims<string, object>;

/**
 * The handler each request was already checked for. The global guard and a
 * `@UseGuards(ApoJwtGuard)` on the same route are two instances (Nest makes
 * one per module), so this is shared by all: the checks run once and a
 * refresh token is consumed once. A WeakMap entry rather than a property on
 * the request: a new property on Node's large request object is a shape
 * transition and a copy of its property store, 4-7 µs with cold caches
 * against under 1 µs for the entry (bench/adapters/guard-cold.ts). Kept on
 * `globalThis` under a `Symbol.for` key, so two copies of the package agree.
 */
const CHECKED = Symbol.for('apojwt.nest.checkedHandlers');
const checkedHolder = globalThis as { [CHECKED]?: WeakMap<object, Target> };
const checkedHandlers: WeakMap<object, Target> = (checkedHolder[CHECKED] ??= new WeakMap());

/**
 * Reads apojwt's metadata through Nest's Reflector and runs the checks it
 * asks for. Translation only: the token comes from the request, every
 * decision (valid? which code? which status?) from core's `apo.authorize`
 * and `apo.consumeRefresh`, and a refusal is core's ApoJwtError, thrown for
 * the exception filter to answer. Global by default (the module registers
 * it as APP_GUARD); `@UseGuards(ApoJwtGuard)` with `guard: 'none'`.
 */
@Injectable()
export class ApoJwtGuard implements CanActivate {
  private readonly decisions = new WeakMap<Target, WeakMap<Target, Decision>>();

  constructor(
    private readonly reflector: Reflector,
    @Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const handler = context.getHandler();
    const controller = context.getClass();
    const decision = this.decisionFor(handler, controller);
    if (context.getType() !== 'http') return this.otherContext(decision, context, handler, controller);
    if (decision.kind === 'public') return true;
    if (decision.kind === 'undecided') {
      if (!this.options.requireDecision) return true;
      throw new ApoJwtConfigError(
        `${handlerName(controller, handler)} has no apojwt decision and requireDecision is on: add @TokenRequired(), @PermissionRequired(...), @Refresh() or @Public()`,
      );
    }
    const request = context.switchToHttp().getRequest<object>();
    if (checkedHandlers.get(request) === handler) return true;
    checkedHandlers.set(request, handler);
    // On a verified-cache hit every step answers at once: no promise on the request's path.
    let pending: Promise<void> | undefined;
    try {
      pending = this.check(decision, request);
    } catch (error) {
      return this.refuse(error);
    }
    return pending === undefined
      ? true
      : pending.then(
          () => true,
          (error: unknown) => this.refuse(error),
        );
  }

  private decisionFor(handler: Target, controller: Target): Decision {
    let byController = this.decisions.get(handler);
    if (byController === undefined) this.decisions.set(handler, (byController = new WeakMap()));
    let decision = byController.get(controller);
    if (decision === undefined) {
      decision = decide(this.reflector, handler, controller);
      if (decision.kind === 'check' && decision.refresh && !this.options.apo.refreshEnabled) {
        throw new ApoJwtConfigError(`${handlerName(controller, handler)} uses @Refresh() but the instance has no refresh tokens configured (the refresh option)`);
      }
      byController.set(controller, decision);
    }
    return decision;
  }

  /**
   * Access first: a refresh token is not consumed for a request the access
   * check refuses. Undefined when every step answered synchronously, else a
   * promise; a refusal is thrown (or rejects).
   */
  private check(decision: CheckDecision, request: object): Promise<void> | undefined {
    if (!decision.access) return this.finish(decision, request, undefined);
    if (decision.accept !== undefined) return this.checkAccepting(decision, decision.accept, request).then((verified) => this.finish(decision, request, verified));
    // Without a token cookie the token is the Authorization header's alone: core is handed the header as sent, and skips parsing one it has seen.
    const byHeader = this.options.credentials.cookie === undefined;
    const credential = byHeader ? authorizationHeader(rawRequestOf(request).rawHeaders) : accessTokenOf(request, this.options.credentials);
    if (credential === undefined) throw accessTokenMissing();
    const claims =
      decision.requirements.length === 0
        ? this.authorizeOne(credential, byHeader, undefined, undefined)
        : this.authorizeFrom(decision.requirements, 0, credential, byHeader, request, undefined);
    return claims instanceof Promise ? claims.then((verified) => this.finish(decision, request, verified)) : this.finish(decision, request, claims);
  }

  /** One authorize, of the Authorization header's value (`byHeader`) or of the token. */
  private authorizeOne(credential: string, byHeader: boolean, requirement: CompiledRequirement | Rule | undefined, input: { request: object } | undefined): Claims | Promise<Claims> {
    const apo = this.options.apo;
    return byHeader ? authorizeHeaderNow(apo, credential, requirement, input) : authorizeNow(apo, credential, requirement, input);
  }

  /** Each requirement is one authorize (verification is cached after the first); one that must wait continues the loop once it settles. */
  private authorizeFrom(
    requirements: CheckDecision['requirements'],
    from: number,
    credential: string,
    byHeader: boolean,
    request: object,
    claims: Claims | undefined,
  ): Claims | Promise<Claims> {
    for (let i = from; i < requirements.length; i++) {
      // A rule is given the platform's request (route parameters, the loaded resource); a guard runs before Nest resolves the method's arguments.
      const requirement = requirements[i] as CompiledRequirement | Rule;
      // Only a rule reads its input: no object per request for a permission name.
      const answer = this.authorizeOne(credential, byHeader, requirement, isRule(requirement) ? { request } : undefined);
      if (answer instanceof Promise) return answer.then((verified) => this.authorizeFrom(requirements, i + 1, credential, byHeader, request, verified));
      claims = answer;
    }
    if (claims === undefined) throw new ApoJwtConfigError('unreachable: no claims after the access check');
    return claims;
  }

  /** A route that also accepts API keys: core picks the one credential sent and verifies it, token or key. */
  private async checkAccepting(decision: CheckDecision, accept: AcceptedCredentials, request: object): Promise<Claims> {
    const { apo, credentials } = this.options;
    const keys = apo.apiKeys;
    if (keys === undefined || apo.authorizeApiKey === undefined)
      throw new ApoJwtConfigError('this route accepts API keys but the instance has none: pass the apiKeys option to createApoJwt');
    const bearer = accept.bearer ? accessTokenOf(request, credentials) : undefined;
    const found = selectCredential(accept, bearer, accept.apiKey ? keys.find(rawRequestOf(request).rawHeaders) : undefined, keys.challengeScheme);
    const authorize = (requirement?: CheckDecision['requirements'][number]) =>
      found.kind === 'bearer' ? apo.authorize(found.value, requirement, { request }) : apo.authorizeApiKey!(found.value, requirement, { request });
    let claims = decision.requirements.length === 0 ? await authorize() : undefined;
    for (const requirement of decision.requirements) claims = await authorize(requirement);
    if (claims === undefined) throw new ApoJwtConfigError('unreachable: no claims after the access check');
    // A key's claims carry what a token's do where the values go (sub, perms, data); tokenClaims shows its kind.
    return claims as unknown as Claims;
  }

  /** After the access check: the refresh check when asked, then the values go on the request, all at once. */
  private finish(decision: CheckDecision, request: object, access: Claims | undefined): Promise<void> | undefined {
    if (!decision.refresh) {
      if (access !== undefined) attachAccess(request, access);
      return undefined;
    }
    const token = refreshTokenOf(request, this.options.credentials);
    if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token was sent');
    return this.options.apo.consumeRefresh(token).then((refresh) => {
      rememberFamily(request, refresh.fam);
      if (access !== undefined) attachAccess(request, access);
      attachRefresh(request, refresh);
    });
  }

  /** Core's error, with the fields Nest's own filters read (statusCode), should another filter answer it. */
  private refuse(error: unknown): never {
    throw isApoJwtError(error) ? frameworkError(error, this.options.apo.realm) : checkFailure(error);
  }

  /**
   * RPC, WebSocket, GraphQL: the guard checks HTTP requests only. A handler
   * that asks for a check there is refused with a clear error rather than
   * run unchecked; a handler without apojwt metadata is left alone (unless
   * requireDecision), so microservice handlers keep working beside guarded routes.
   */
  private otherContext(decision: Decision, context: ExecutionContext, handler: Target, controller: Target): boolean {
    if (decision.kind === 'public') return true;
    if (decision.kind === 'undecided' && !this.options.requireDecision) return true;
    throw new ApoJwtConfigError(
      `${handlerName(controller, handler)} is called for a '${context.getType()}' context: @apojwt/nest checks HTTP requests only, so it refuses a handler that needs a check (or, with requireDecision, any handler) there`,
    );
  }
}
