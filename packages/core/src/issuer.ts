import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { ApoJwtConfigError } from './errors.js';
import { ACCESS_TOKEN_TYPE, REFRESH_TOKEN_TYPE } from './claims.js';
import { nowSeconds, signingKeyOf, type ApoJwtConfig } from './config.js';
import type { CreateTokenInput, TokenPair } from './tokens.js';
import type { JsonObject } from './register.js';
import { expandGrants } from './permission-model.js';
import { isActorClaim, type ActorClaim } from './actor.js';

/**
 * What a token endpoint changes in one access token it issues for someone
 * else's use (a service token, an RFC 8693 exchange). Each is checked: a
 * token is only ever narrowed, never made to live longer or reach further
 * than the instance's own settings say.
 */
export interface AccessTokenOverrides {
  /** The audience instead of `serverAudience` (RFC 8693 §2.1 `audience`): non-empty strings. */
  audience?: readonly string[];
  /** Seconds the token lives, at most the instance's `expPeriod`. */
  expPeriod?: number;
  /** The acting service (RFC 8693 §4.1), nested for a chain. */
  act?: ActorClaim;
}

/**
 * Signs an access token, and the refresh token when refresh is configured,
 * with the prebuilt KeyObjects of the config (jsonwebtoken does the JWS).
 * `family` continues a refresh family (rotation); absent, a login starts one.
 */
export function issueTokens<P extends string>(config: ApoJwtConfig, input: CreateTokenInput<P, object, object>, family: string | undefined): string | TokenPair {
  const refresh = config.refresh;
  // With refresh tokens every access token names its family too, so that
  // revoking the family (reuse detected, logout) reaches it on every service.
  const fam = refresh === undefined ? undefined : (family ?? newId());
  const { accessToken, sub, now } = signAccess(config, input, fam === undefined ? {} : { fam });
  if (refresh === undefined) return accessToken;
  const refreshData = plainObject('createToken: refreshData', input.refreshData);
  const refreshToken = jwt.sign({ sub, iss: config.issuer, aud: config.audience, iat: now, nbf: now, exp: now + refresh.expPeriod, data: refreshData, jti: newId(), fam }, refresh.key.key, {
    algorithm: refresh.key.alg,
    header: { alg: refresh.key.alg, typ: REFRESH_TOKEN_TYPE, kid: refresh.key.kid },
  });
  return { accessToken, refreshToken };
}

/**
 * One access token, never a refresh token nor a refresh family (RFC 6749
 * §4.4.3: no refresh token for client credentials; RFC 8693 §2.2.1: an
 * exchanged token is issued alone), with `overrides` applied.
 */
export function issueAccessToken<P extends string>(config: ApoJwtConfig, input: CreateTokenInput<P, object, object>, overrides: AccessTokenOverrides = {}): string {
  if (overrides === null || typeof overrides !== 'object') throw new ApoJwtConfigError('createAccessToken: overrides must be an object');
  const { audience, expPeriod, act } = overrides;
  if (audience !== undefined && !(Array.isArray(audience) && audience.length > 0 && audience.every((a) => typeof a === 'string' && a.length > 0))) {
    throw new ApoJwtConfigError('createAccessToken: audience must be a non-empty array of non-empty strings');
  }
  if (expPeriod !== undefined && !(Number.isInteger(expPeriod) && expPeriod > 0 && expPeriod <= config.expPeriod)) {
    throw new ApoJwtConfigError(`createAccessToken: expPeriod must be a whole number of seconds from 1 to the instance's expPeriod (${config.expPeriod})`);
  }
  if (act !== undefined && !isActorClaim(act)) throw new ApoJwtConfigError('createAccessToken: act must be { sub, act? } with non-empty subjects, at most 8 deep');
  const narrowed: ApoJwtConfig = { ...config, audience: audience === undefined ? config.audience : [...audience], expPeriod: expPeriod ?? config.expPeriod };
  return signAccess(narrowed, input, act === undefined ? {} : { act }).accessToken;
}

function signAccess<P extends string>(config: ApoJwtConfig, input: CreateTokenInput<P, object, object>, extra: Record<string, unknown>): { accessToken: string; sub: string; now: number } {
  const signing = signingKeyOf(config);
  if (signing === undefined) throw new ApoJwtConfigError('this instance only verifies tokens: it holds no signing key');
  const sub = input.sub ?? '';
  if (typeof sub !== 'string') throw new ApoJwtConfigError('createToken: sub must be a string');
  const perms = input.permissions ?? [];
  if (!Array.isArray(perms) || !perms.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new ApoJwtConfigError('createToken: permissions must be an array of non-empty strings');
  }
  const roles = input.roles;
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((r) => typeof r === 'string' && config.permissionModel?.roleGrants.has(r) === true))) {
    // An issuer names only roles it declares: a typo would issue a token that grants nothing.
    throw new ApoJwtConfigError('createToken: roles must be an array of roles declared in the roles option');
  }
  const claimRoles = roles !== undefined && roles.length > 0 && config.rolesInToken === 'claim';
  const granted = roles === undefined || claimRoles || config.permissionModel === undefined ? perms : expandGrants(config.permissionModel, perms, roles).grants;
  const data = plainObject('createToken: data', input.data);
  const now = nowSeconds(config);
  const access: Record<string, unknown> = {
    sub,
    iss: config.issuer,
    aud: config.audience,
    iat: now,
    nbf: now,
    exp: now + config.expPeriod,
    perms: [...granted],
    data,
    jti: newId(),
    ...extra,
  };
  if (claimRoles) access['roles'] = [...new Set(roles)];
  const accessToken = jwt.sign(access, signing.key, { algorithm: signing.alg, header: { alg: signing.alg, typ: ACCESS_TOKEN_TYPE, kid: signing.kid } });
  return { accessToken, sub, now };
}

function plainObject(name: string, value: unknown): JsonObject {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ApoJwtConfigError(`${name} must be a plain object`);
  return value as JsonObject;
}

/** 128 random bits, base64url: token ids and family ids. */
function newId(): string {
  return randomBytes(16).toString('base64url');
}
