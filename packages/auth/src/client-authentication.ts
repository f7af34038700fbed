import { createPublicKey, KeyObject } from 'node:crypto';
import { decodeJwt, jwtVerify } from 'jose';
import { ApoJwtError, isApoJwtError } from '@apojwt/core';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from './client-secret.js';
import type { LoginLimiter } from './login-limiter.js';
import type { ClientRegistry, ServiceClient } from './service-clients.js';
import { invalid } from './token-request.js';

/** RFC 7523 §2.2: the `client_assertion_type` of a JWT client assertion. */
export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Longest a client assertion may live (its `exp` from now), seconds. */
export const MAX_ASSERTION_SECONDS = 300;

export interface ClientAuthenticationSettings {
  readonly clients: ClientRegistry;
  readonly limiter: LoginLimiter | undefined;
  /** RFC 7523 §3: the `aud` a client assertion must name (the token endpoint's URL); undefined: assertions are refused. */
  readonly assertionAudience: string | undefined;
  readonly nowSeconds: () => number;
  /** bcrypt cost of the timing dummy, for a registry of password-hashed secrets; undefined: a dummy of the fast format. */
  readonly cost: number | undefined;
}

/** Who is asking, as the request says; nothing of it is trusted yet. */
interface Presented {
  readonly id: string;
  readonly secret?: string;
  readonly assertion?: string;
}

/**
 * Authenticates the client of a token request: one method per request
 * (RFC 6749 §2.3: "MUST NOT use more than one authentication method in
 * each request"): HTTP Basic (§2.3.1), the secret in the body, or a JWT
 * assertion (RFC 7523). Unknown client, wrong secret, disabled client:
 * one error, ERR_CLIENT_INVALID, after the same work (an unknown client's
 * secret is checked against a dummy hash, and every hash compares in
 * constant time). A client locked out by the limiter is refused before its secret
 * is checked; only failed authentications are counted (`LoginLimiter.admit`).
 */
export function clientAuthenticator(
  settings: ClientAuthenticationSettings,
): (params: ReadonlyMap<string, string>, authorization: string | undefined, ip: string | undefined) => Promise<ServiceClient> {
  const dummyHash = hashClientSecret(generateClientSecret(), settings.cost === undefined ? undefined : { cost: settings.cost });
  dummyHash.catch(() => undefined);
  const seenAssertions = new Map<string, number>();

  return async function authenticate(params, authorization, ip) {
    const presented = presentedClient(params, authorization);
    // Only failures count (`admit`): a client's secret has 256 random bits, and a
    // service sends many token requests at once; charging each before its check
    // would refuse a legitimate client's fifth concurrent request.
    const attempt = await settings.limiter?.admit(`client:${presented.id}`, ip);
    let client: ServiceClient | undefined;
    let valid: boolean;
    try {
      const found = await settings.clients.get(presented.id);
      client = found === null || found === undefined || found.id !== presented.id ? undefined : found;
      valid =
        presented.assertion !== undefined ? await assertionValid(presented.assertion, client, settings, seenAssertions) : await secretValid(presented.secret as string, client, dummyHash);
    } catch (error) {
      // A failing registry is not a wrong guess: it must not lock the client out.
      await attempt?.abandoned();
      throw error;
    }
    if (!valid || client === undefined) {
      await attempt?.failed();
      throw clientInvalid();
    }
    await attempt?.succeeded();
    if (client.disabled === true) throw clientInvalid();
    return client;
  };
}

function clientInvalid(): ApoJwtError {
  return new ApoJwtError('ERR_CLIENT_INVALID', 'client authentication failed');
}

function presentedClient(params: ReadonlyMap<string, string>, authorization: string | undefined): Presented {
  const basic = basicCredentials(authorization);
  const bodySecret = params.get('client_secret');
  const assertion = params.get('client_assertion');
  const methods = [basic !== undefined, bodySecret !== undefined, assertion !== undefined].filter(Boolean).length;
  if (methods > 1) throw invalid('the token request uses more than one client authentication method');
  const claimedId = params.get('client_id');
  if (basic !== undefined) {
    if (claimedId !== undefined && claimedId !== basic.id) throw invalid('client_id differs from the client that authenticated');
    return basic;
  }
  if (assertion !== undefined) {
    if (params.get('client_assertion_type') !== JWT_BEARER_ASSERTION) throw invalid('client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const id = assertionIssuer(assertion);
    if (claimedId !== undefined && claimedId !== id) throw invalid('client_id differs from the client that authenticated');
    return { id, assertion };
  }
  if (claimedId === undefined || bodySecret === undefined) throw clientInvalid();
  return { id: claimedId, secret: bodySecret };
}

/** RFC 6749 §2.3.1: `Basic base64(urlencode(id) ":" urlencode(secret))`. */
function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  if (authorization === undefined) return undefined;
  const match = /^Basic ([A-Za-z0-9+/]+={0,2})$/i.exec(authorization.trim());
  if (match === null) throw clientInvalid();
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw clientInvalid();
  try {
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    if (id.length === 0 || secret.length === 0) throw clientInvalid();
    return { id, secret };
  } catch (error) {
    if (isApoJwtError(error)) throw error;
    throw clientInvalid();
  }
}

async function secretValid(secret: string, client: ServiceClient | undefined, dummyHash: Promise<string>): Promise<boolean> {
  const hash = client?.secretHash;
  const matches = await verifyClientSecret(secret, hash ?? (await dummyHash));
  return hash !== undefined && matches;
}

/** The client an assertion says it comes from (RFC 7523 §3: iss = sub = client_id), read before its signature only to find the key. */
function assertionIssuer(assertion: string): string {
  let claims: Record<string, unknown>;
  try {
    claims = decodeJwt(assertion);
  } catch {
    throw clientInvalid();
  }
  if (typeof claims['iss'] !== 'string' || claims['iss'].length === 0) throw clientInvalid();
  return claims['iss'];
}

async function assertionValid(assertion: string, client: ServiceClient | undefined, settings: ClientAuthenticationSettings, seen: Map<string, number>): Promise<boolean> {
  if (client?.publicKey === undefined || settings.assertionAudience === undefined) return false;
  let key: KeyObject;
  try {
    key =
      client.publicKey instanceof KeyObject ? client.publicKey : createPublicKey(typeof client.publicKey === 'string' ? client.publicKey : { key: client.publicKey as never, format: 'jwk' });
  } catch {
    return false;
  }
  const now = settings.nowSeconds();
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(assertion, key, {
      algorithms: algorithmsFor(key),
      issuer: client.id,
      subject: client.id,
      audience: settings.assertionAudience,
      requiredClaims: ['exp', 'jti'],
      currentDate: new Date(now * 1000),
    }));
  } catch {
    return false;
  }
  const exp = payload['exp'] as number;
  if (exp - now > MAX_ASSERTION_SECONDS) return false;
  // RFC 7523 §3 item 7: a `jti` is used once; kept until its assertion expires.
  for (const [id, until] of seen) if (until <= now) seen.delete(id);
  const jti = `${client.id}\u0000${String(payload['jti'])}`;
  if (seen.has(jti)) return false;
  seen.set(jti, exp);
  return true;
}

/** The algorithms a client's key can sign with, pinned by its type (no `alg` from the token chooses it). */
function algorithmsFor(key: KeyObject): string[] {
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return ['RS256', 'PS256'];
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'prime256v1' ? ['ES256'] : curve === 'secp384r1' ? ['ES384'] : curve === 'secp521r1' ? ['ES512'] : [];
    }
    case 'ed25519':
      return ['EdDSA'];
    default:
      return [];
  }
}
