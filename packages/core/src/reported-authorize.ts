import type { AccessClaims } from './claims.js';
import { compileRequirement, isCompiledRequirement, type CompiledRequirement, type PermissionRequirement } from './permissions.js';
import { isRule, type PolicyInput, type Rule } from './policy.js';
import { decisionStart, emitDecision, hasActiveSpan, spanApiAvailable, type DecisionHook } from './decision-events.js';
import type { Verifier } from './verifier.js';
import type { ApiKeyClaims } from './api-keys/api-key-claims.js';

type Requirement = CompiledRequirement | Rule | undefined;

/**
 * Authorization with its decision reported to the `onDecision` hook and the
 * active OpenTelemetry span. A decision is timed and described only while
 * someone listens (`wanted()`); otherwise the façade goes straight to the
 * verifier and pays nothing for this.
 */
export class DecisionReporter {
  /** A hook, or the OpenTelemetry API installed: decisions may have to be reported. */
  readonly observes: boolean;

  constructor(
    private readonly hook: DecisionHook | undefined,
    private readonly verifier: Verifier,
  ) {
    this.observes = hook !== undefined || spanApiAvailable;
  }

  /** A hook to call, or a span to annotate, for this decision. */
  wanted(): boolean {
    return this.observes && (this.hook !== undefined || hasActiveSpan());
  }

  /** `authorize` (through the instance's own `verify`), the decision reported either way. */
  async authorize(verify: (token: string) => Promise<AccessClaims>, token: string, requirement: PermissionRequirement | Requirement, input: PolicyInput | undefined): Promise<AccessClaims> {
    const started = decisionStart();
    const compiled = compiledOf(requirement);
    let verified: AccessClaims | undefined;
    try {
      verified = await verify(token);
      const claims = compiled === undefined ? verified : await this.verifier.permitted(verified, compiled, input);
      this.report(started, compiled, claims, undefined, input);
      return claims;
    } catch (error) {
      this.report(started, compiled, verified, error, input);
      throw error;
    }
  }

  /** The guard's eager `authorize` with the decision reported: still synchronous when every step is. */
  eagerly(token: string, requirement: Requirement, input: PolicyInput | undefined): AccessClaims | Promise<AccessClaims> {
    const started = decisionStart();
    let verified: AccessClaims | undefined;
    const allowed = (claims: AccessClaims): AccessClaims => {
      this.report(started, requirement, claims, undefined, input);
      return claims;
    };
    const refused = (error: unknown): never => {
      this.report(started, requirement, verified, error, input);
      throw error;
    };
    const check = (claims: AccessClaims): AccessClaims | Promise<AccessClaims> => {
      verified = claims;
      return requirement === undefined ? claims : this.verifier.permitted(claims, requirement, input);
    };
    try {
      const claims = this.verifier.authorizeEagerly(token, undefined);
      const permitted = claims instanceof Promise ? claims.then(check) : check(claims);
      return permitted instanceof Promise ? permitted.then(allowed, refused) : allowed(permitted);
    } catch (error) {
      return refused(error);
    }
  }

  /**
   * An API key's check (verify the key, then the requirement) with its
   * decision reported as `credential: 'apiKey'`, refusals included. The
   * event names the key by its lookup id (`idOf`), never the key itself.
   * Still synchronous when every step is.
   */
  apiKey(
    key: string,
    idOf: (key: string) => string | undefined,
    verifyKey: (key: string) => ApiKeyClaims | Promise<ApiKeyClaims>,
    permit: (claims: ApiKeyClaims) => ApiKeyClaims | Promise<ApiKeyClaims>,
    given: PermissionRequirement | Requirement,
    input: PolicyInput | undefined,
  ): ApiKeyClaims | Promise<ApiKeyClaims> {
    const started = decisionStart();
    const requirement = compiledOf(given);
    let verified: ApiKeyClaims | undefined;
    const allowed = (claims: ApiKeyClaims): ApiKeyClaims => {
      emitDecision(this.hook, this.verifier, started, requirement, claims, undefined, input?.route, { keyId: claims.keyId });
      return claims;
    };
    const refused = (error: unknown): never => {
      emitDecision(this.hook, this.verifier, started, requirement, verified, error, input?.route, { keyId: verified?.keyId ?? idOf(key) });
      throw error;
    };
    const check = (claims: ApiKeyClaims): ApiKeyClaims | Promise<ApiKeyClaims> => {
      verified = claims;
      return permit(claims);
    };
    try {
      const claims = verifyKey(key);
      const permitted = claims instanceof Promise ? claims.then(check) : check(claims);
      return permitted instanceof Promise ? permitted.then(allowed, refused) : allowed(permitted);
    } catch (error) {
      return refused(error);
    }
  }

  private report(started: number, requirement: Requirement, claims: AccessClaims<string, object> | undefined, error: unknown, input: PolicyInput | undefined): void {
    emitDecision(this.hook, this.verifier, started, requirement, claims, error, input?.route);
  }
}

/** The requirement as events describe it: a permission name or list compiled, a rule as it is. */
function compiledOf(requirement: PermissionRequirement | Requirement): Requirement {
  return requirement === undefined || isRule(requirement) || isCompiledRequirement(requirement) ? requirement : compileRequirement(requirement);
}
