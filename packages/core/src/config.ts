import { ApoJwtConfigError } from './errors.js';
import { isAlgorithm, isSymmetric, type Algorithm } from './algorithms.js';
import { LocalKeyRing, makeSigningKey, secretToKeyObject, type SigningKey } from './keys.js';
import { configureKeys } from './key-config.js';
import type { KeyRing } from './key-ring.js';
import type { JwkSet } from './jwks.js';
import { systemClock, toSeconds, type Clock } from './clock.js';
import type { VerifyContext } from './verify.js';
import { MemoryRevocationStore } from './stores/memory-revocation-store.js';
import { MemoryRotationStore } from './stores/memory-rotation-store.js';
import type { RevocationStore } from './stores/revocation-store.js';
import type { RotationStore } from './stores/rotation-store.js';
import { resolveTemplate, type ExceptionHandler, type Finder, type Template } from './template.js';
import { APOJWT_OPTION_KEYS, REFRESH_OPTION_KEYS, type ApoJwtOptions, type RefreshOptions } from './options.js';
import { compilePermissionModel, type PermissionModel } from './permission-model.js';
import type { DecisionHook } from './decision-events.js';
import { audienceList, knownKeys, nonEmptyString, nonNegativeNumber, optionalFunction, positiveInteger } from './validate.js';

/** Refresh tokens, once `refresh` / `configRefresh` turned them on. */
export interface RefreshConfig {
  readonly key: SigningKey;
  readonly expPeriod: number;
  readonly reuseGracePeriod: number;
  readonly finder: Finder | undefined;
  readonly verify: VerifyContext;
}

/**
 * Everything an instance does, decided once from its options (fast-jwt's
 * `createVerifier`): every option checked here with a message naming it, the
 * result frozen. `configRefresh` makes a new one (`withRefresh`); nothing
 * else ever changes it.
 */
export interface ApoJwtConfig {
  readonly algorithm: Algorithm;
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly expPeriod: number;
  readonly clockTolerance: number;
  readonly adminPermission: string | undefined;
  /** False: permission names match exactly ('*' and 'x:*' are plain names), as in Python apojwt. */
  readonly wildcards: boolean;
  /** Roles and implications, compiled; undefined when neither is configured. */
  readonly permissionModel: PermissionModel | undefined;
  readonly rolesInToken: 'expand' | 'claim';
  readonly onDecision: DecisionHook | undefined;
  readonly realm: string | undefined;
  readonly clock: Clock;
  /** HS instances: the secret that signs. */
  readonly hmacKey: SigningKey | undefined;
  /** RS/PS/ES instances with local keys: the ring that signs and verifies. */
  readonly keyRing: KeyRing | undefined;
  /** How access tokens are verified (verify.ts). */
  readonly access: VerifyContext;
  readonly revocationStore: RevocationStore;
  readonly rotationStore: RotationStore;
  /** Size of the verified-token cache; undefined = no cache. */
  readonly cacheMax: number | undefined;
  readonly template: Template | undefined;
  readonly tokenFinder: Finder | undefined;
  readonly refreshFinder: Finder | undefined;
  readonly exceptionHandler: ExceptionHandler | undefined;
  readonly refresh: RefreshConfig | undefined;
}

const MAX_CLOCK_TOLERANCE = 300;
const ONE_YEAR = 366 * 24 * 3600;

export function resolveConfig(options: ApoJwtOptions): ApoJwtConfig {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('ApoJwt needs an options object');
  knownKeys('ApoJwt', options, APOJWT_OPTION_KEYS);
  // null is a bad value, not "the default": only an absent option takes the default.
  const algorithm = options.algorithm === undefined ? 'HS256' : options.algorithm;
  if (!isAlgorithm(algorithm)) {
    throw new ApoJwtConfigError(`algorithm must be one of HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512`);
  }
  const issuer = nonEmptyString('iss', options.iss);
  const audience = Object.freeze(audienceList('serverAudience', options.serverAudience));
  const expPeriod = positiveInteger('expPeriod', options.expPeriod, 900, ONE_YEAR);
  const clockTolerance = nonNegativeNumber('clockTolerance', options.clockTolerance, 0, MAX_CLOCK_TOLERANCE);
  const adminPermission = options.adminPermission === undefined ? undefined : nonEmptyString('adminPermission', options.adminPermission);
  const realm = options.realm === undefined ? undefined : realmOption(options.realm);
  const clock = optionalFunction<Clock>('now', options.now) ?? systemClock;
  const maxTokenBytes = positiveInteger('maxTokenBytes', options.maxTokenBytes, 8192, 1 << 20);

  const { hmacKey, keyRing, resolver: keys } = configureKeys(options, algorithm, clock);

  const revocationStore = options.revocationStore ?? new MemoryRevocationStore();
  const rotationStore = options.rotationStore ?? new MemoryRotationStore();
  assertStore('revocationStore', revocationStore, ['isRevoked', 'revokeToken', 'revokeSubject', 'revokeFamily']);
  assertStore('rotationStore', rotationStore, ['consume']);
  const failOpen = optionalBoolean('failOpen', options.failOpen) ?? false;
  const pythonCompat = optionalBoolean('pythonCompat', options.pythonCompat) ?? false;
  // Python apojwt matches permission names exactly: a Python-minted "*" must not grant more here.
  const wildcards = optionalBoolean('wildcards', options.wildcards) ?? !pythonCompat;

  const permissionModel = compilePermissionModel(options.roles, options.implications);
  const rolesInToken = options.rolesInToken ?? 'expand';
  if (rolesInToken !== 'expand' && rolesInToken !== 'claim') throw new ApoJwtConfigError(`rolesInToken must be 'expand' or 'claim'`);

  const access: VerifyContext = Object.freeze({
    algorithm,
    keys,
    issuer,
    audience: new Set(audience),
    clockTolerance,
    maxTokenBytes,
    pythonCompat,
    revocation: revocationStore,
    failOpen,
    // Date.now needs no check that it returned a number: one call per verification, not three.
    nowSeconds: clock === systemClock ? () => Math.floor(Date.now() / 1000) : () => toSeconds(clock()),
  });

  const config: ApoJwtConfig = Object.freeze({
    algorithm,
    issuer,
    audience,
    expPeriod,
    clockTolerance,
    adminPermission,
    wildcards,
    permissionModel,
    rolesInToken,
    onDecision: optionalFunction<DecisionHook>('onDecision', options.onDecision),
    realm,
    clock,
    hmacKey,
    keyRing,
    access,
    revocationStore,
    rotationStore,
    cacheMax: cacheOption(options.cache),
    template: options.template === undefined ? undefined : resolveTemplate(options.template),
    tokenFinder: optionalFunction<Finder>('tokenFinder', options.tokenFinder),
    refreshFinder: optionalFunction<Finder>('refreshFinder', options.refreshFinder),
    exceptionHandler: optionalFunction<ExceptionHandler>('exceptionHandler', options.exceptionHandler),
    refresh: undefined,
  });
  return options.refresh === undefined ? config : withRefresh(config, options.refresh);
}

/** The config with refresh tokens on (`refresh` option, `configRefresh`). */
export function withRefresh(config: ApoJwtConfig, options: RefreshOptions): ApoJwtConfig {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('configRefresh needs an options object');
  knownKeys('refresh', options, REFRESH_OPTION_KEYS);
  const alg = options.refreshAlgorithm === undefined ? 'HS256' : options.refreshAlgorithm;
  if (alg !== 'HS256' && alg !== 'HS384' && alg !== 'HS512') throw new ApoJwtConfigError('refreshAlgorithm must be HS256, HS384 or HS512');
  const key = makeSigningKey(secretToKeyObject(options.refreshSecret, 'refreshSecret'), alg, undefined, 'refreshSecret');
  const accessKey = signingKeyOf(config);
  if (config.access.pythonCompat && accessKey !== undefined && accessKey.key.type === 'secret' && accessKey.key.equals(key.key)) {
    // Python apojwt tokens carry no type, so with equal secrets a refresh
    // token could pass as an access token. Only the secrets keep them apart.
    throw new ApoJwtConfigError('with pythonCompat the refreshSecret must differ from the access secret');
  }
  const refresh: RefreshConfig = Object.freeze({
    key,
    expPeriod: positiveInteger('refreshExpPeriod', options.refreshExpPeriod, 86_400, 10 * ONE_YEAR),
    reuseGracePeriod: nonNegativeNumber('reuseGracePeriod', options.reuseGracePeriod, 2, 300),
    finder: optionalFunction<Finder>('refreshFinder', options.refreshFinder),
    verify: Object.freeze({ ...config.access, algorithm: alg, keys: new LocalKeyRing([key]), pythonCompat: false }),
  });
  return Object.freeze({ ...config, refresh });
}

/** The key new access tokens are signed with (it changes when the key ring rotates). */
export function signingKeyOf(config: ApoJwtConfig): SigningKey | undefined {
  return config.keyRing ? config.keyRing.signingKey : config.hmacKey;
}

/** The public JWK Set of an RS/PS/ES instance with local keys. */
export function publishedJwks(config: ApoJwtConfig): JwkSet {
  if (config.keyRing === undefined) {
    throw new ApoJwtConfigError(isSymmetric(config.algorithm) ? `${config.algorithm} keys are secret: there is no JWK Set to publish` : 'this instance holds no local keys to publish');
  }
  return config.keyRing.jwks();
}

export function requireRefresh(config: ApoJwtConfig, what: string): RefreshConfig {
  if (config.refresh === undefined) throw new ApoJwtConfigError(`${what} needs refresh tokens: call configRefresh first`);
  return config.refresh;
}

/** How long any token this instance issues can live: what a revocation must outlast. */
export function longestLifetime(config: ApoJwtConfig): number {
  return Math.max(config.expPeriod, config.refresh?.expPeriod ?? 0);
}

export function nowSeconds(config: ApoJwtConfig): number {
  return toSeconds(config.clock());
}

function cacheOption(cache: ApoJwtOptions['cache']): number | undefined {
  if (cache === false) return undefined;
  if (cache !== undefined && (cache === null || typeof cache !== 'object')) throw new ApoJwtConfigError('cache must be false or { max }');
  if (cache) knownKeys('cache', cache, ['max']);
  return positiveInteger('cache.max', cache?.max, 10_000, 10_000_000);
}

function optionalBoolean(name: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new ApoJwtConfigError(`${name} must be a boolean`);
  return value;
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
