import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApoJwtConfigError, ApoJwtError, frameworkError, isApoJwtError, selectCredential, type AcceptedCredentials, type InjectedValues } from '@apojwt/core';
import { APOJWT_MODULE_OPTIONS } from './tokens.js';
import { decide, handlerName, type Decision } from './decision.js';
import { accessTokenOf, attachValues, rawRequestOf, refreshTokenOf, rememberFamily } from './request.js';
import type { ResolvedModuleOptions } from './options.js';

// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type Target = Function;

/**
 * A request already checked for its handler. The global guard and a
 * `@UseGuards(ApoJwtGuard)` on the same route are two instances (Nest makes
 * one per module), so this is shared by all: the checks run once and a
 * refresh token is consumed once.
 */
const checked = new WeakMap<object, Target>();

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
    if (checked.get(request) === handler) return true;
    checked.set(request, handler);
    return this.check(decision, request).then(
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

  /** Access first: a refresh token is not consumed for a request the access check refuses. */
  private async check(decision: Extract<Decision, { kind: 'check' }>, request: object): Promise<void> {
    const { apo, credentials } = this.options;
    const values: InjectedValues = {};
    if (decision.access && decision.accept !== undefined) {
      Object.assign(values, await this.checkAccepting(decision, decision.accept, request));
    } else if (decision.access) {
      const token = accessTokenOf(request, credentials);
      if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no access token was sent');
      // Each requirement is one authorize (verification is cached after the first).
      let claims = decision.requirements.length === 0 ? await apo.authorize(token) : undefined;
      // A rule is given the platform's request (route parameters, the loaded resource); a guard runs before Nest resolves the method's arguments.
      for (const requirement of decision.requirements) claims = await apo.authorize(token, requirement, { request });
      if (claims === undefined) throw new ApoJwtConfigError('unreachable: no claims after the access check');
      Object.assign(values, { tokenData: claims.data, tokenSubject: claims.sub, tokenPermissions: claims.perms, tokenClaims: claims });
    }
    if (decision.refresh) {
      const token = refreshTokenOf(request, credentials);
      if (token === undefined) throw new ApoJwtError('ERR_TOKEN_MISSING', 'no refresh token was sent');
      const claims = await apo.consumeRefresh(token);
      Object.assign(values, { refreshData: claims.data, refreshClaims: claims });
      rememberFamily(request, claims.fam);
    }
    attachValues(request, values);
  }

  /** A route that also accepts API keys: core picks the one credential sent and verifies it, token or key. */
  private async checkAccepting(decision: Extract<Decision, { kind: 'check' }>, accept: AcceptedCredentials, request: object): Promise<InjectedValues> {
    const { apo, credentials } = this.options;
    const keys = apo.apiKeys;
    if (keys === undefined || apo.authorizeApiKey === undefined)
      throw new ApoJwtConfigError('this route accepts API keys but the instance has none: pass the apiKeys option to createApoJwt');
    const bearer = accept.bearer ? accessTokenOf(request, credentials) : undefined;
    const found = selectCredential(accept, bearer, accept.apiKey ? keys.find(rawRequestOf(request).rawHeaders) : undefined, keys.challengeScheme);
    const authorize = (requirement?: (typeof decision.requirements)[number]) =>
      found.kind === 'bearer' ? apo.authorize(found.value, requirement, { request }) : apo.authorizeApiKey!(found.value, requirement, { request });
    let claims = decision.requirements.length === 0 ? await authorize() : undefined;
    for (const requirement of decision.requirements) claims = await authorize(requirement);
    if (claims === undefined) throw new ApoJwtConfigError('unreachable: no claims after the access check');
    return { tokenData: claims.data, tokenSubject: claims.sub, tokenPermissions: claims.perms, tokenClaims: claims };
  }

  /** Core's error, with the fields Nest's own filters read (statusCode), should another filter answer it. */
  private refuse(error: unknown): never {
    throw isApoJwtError(error) ? frameworkError(error, this.options.apo.realm) : error;
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
