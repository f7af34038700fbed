import { ApoJwtConfigError } from './errors.js';
import { actorChain } from './actor.js';
import { describeName } from './permissions.js';
import { builtInRule, type Rule } from './policy.js';

/**
 * Rules about who is asking, for a service that is called both by users and
 * by other services (issue: "the downstream service sees both the user
 * (`sub`) and the actor, and rules can require either"). An exchanged token
 * (RFC 8693) keeps the user as `sub` and names the calling service in `act`,
 * the current actor outermost (§4.1); a service token (client credentials)
 * has the client as `sub` and no `act`. They are rules like `definePolicy`'s:
 * they combine with `allOf` / `anyOf` / `not`, a denial is 403
 * ERR_PERMISSION_DENIED naming the rule, and they answer synchronously (the
 * guard's fast path stays synchronous).
 */
export interface ActedByOptions {
  /**
   * false (default): the current actor, the outermost `act`, the service
   * that presented the token, must be `actor`. true: `actor` may be anywhere
   * in the chain (the current actor or one it acted for, RFC 8693 §4.1's
   * "history trail": informational there, so a rule that trusts it trusts
   * every service on the way).
   */
  readonly inChain?: boolean;
}

/**
 * The token was exchanged by `actor` for its subject: `actedBy('svc:orders')`
 * holds for `{ sub: 'alice', act: { sub: 'svc:orders' } }`, not for alice's
 * own token nor for one a service presented on orders' behalf (unless
 * `inChain`).
 */
export function actedBy(actor: string, options: ActedByOptions = {}): Rule {
  const name = subjectName('actedBy', actor);
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('actedBy: options must be an object: { inChain?: boolean }');
  for (const key of Object.keys(options)) if (key !== 'inChain') throw new ApoJwtConfigError(`actedBy: unknown option ${describeName(key)} (inChain)`);
  const inChain = options.inChain ?? false;
  if (typeof inChain !== 'boolean') throw new ApoJwtConfigError('actedBy: inChain must be true or false');
  if (inChain) return builtInRule(`actedBy(${JSON.stringify(name)}, { inChain: true })`, ({ claims }) => actorChain(claims.act).includes(name));
  return builtInRule(`actedBy(${JSON.stringify(name)})`, ({ claims }) => claims.act?.sub === name);
}

/**
 * The token carries no `act`: its subject presented it itself (a user's own
 * token, or a service's own client-credentials token), not a service acting
 * for them. `not(notDelegated())` is "any delegated call".
 */
export function notDelegated(): Rule {
  return NOT_DELEGATED;
}

/**
 * The token's subject is `subject`: a user, or the client id of a service
 * token (`subjectIs('svc:batch')`). An exchanged token keeps the user as its
 * subject, so this holds for a call on the subject's behalf too; combine
 * with `notDelegated()` to require the subject in person.
 */
export function subjectIs(subject: string): Rule {
  const name = subjectName('subjectIs', subject);
  return builtInRule(`subjectIs(${JSON.stringify(name)})`, ({ claims }) => claims.sub === name);
}

const NOT_DELEGATED = builtInRule('notDelegated()', ({ claims }) => claims.act === undefined);

// Client ids are at most 256 characters (service-clients.ts); no control
// characters, so the rule reads cleanly in messages, logs and span attributes.
const MAX_SUBJECT_LENGTH = 256;
// eslint-disable-next-line no-control-regex -- the characters refused are the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

function subjectName(fn: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SUBJECT_LENGTH || CONTROL.test(value)) {
    throw new ApoJwtConfigError(`${fn}: ${describeName(value)} refused: a subject is a non-empty string of at most ${MAX_SUBJECT_LENGTH} characters without control characters`);
  }
  return value;
}
