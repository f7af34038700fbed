import type { Algorithm } from './algorithms.js';
import type { KeyRing } from './key-ring.js';
import type { RevocationStore } from './stores/revocation-store.js';
import type { RotationStore } from './stores/rotation-store.js';
import type { ExceptionHandler, Finder, Template } from './template.js';
import { nowSeconds, publishedJwks, type ApoJwtConfig } from './config.js';
import type { JwkSet } from './jwks.js';
import { bearerHeaderSource, type RawHeadersOf } from './http/bearer-finder.js';

/**
 * What an ApoJwt instance shows of its resolved options (after defaults),
 * read-only. Everything it does goes through the frozen config instead;
 * `configRefresh` replaces that config with one that has refresh tokens.
 */
export abstract class InstanceSettings {
  protected config: ApoJwtConfig;
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
  /** RS/PS/ES instances with local keys: rotate and retire keys here. */
  readonly keyRing: KeyRing | undefined;
  /** The access token's finder: the `tokenFinder` option, else the template's. */
  readonly tokenFinder: Finder | undefined;
  /** Answers a refusal: the `exceptionHandler` option, else the template's. */
  readonly exceptionHandler: ExceptionHandler | undefined;
  /** Where the finder reads headers, when the token is the Authorization header's Bearer token alone (see bearerTokenFinder). */
  readonly bearerHeaders: RawHeadersOf<unknown> | undefined;

  protected constructor(config: ApoJwtConfig) {
    this.config = config;
    this.algorithm = config.algorithm;
    this.issuer = config.issuer;
    this.audience = config.audience;
    this.expPeriod = config.expPeriod;
    this.adminPermission = config.adminPermission;
    this.clockTolerance = config.clockTolerance;
    this.realm = config.realm;
    this.revocationStore = config.revocationStore;
    this.rotationStore = config.rotationStore;
    this.template = config.template;
    this.keyRing = config.keyRing;
    this.tokenFinder = config.tokenFinder ?? config.template?.tokenFinder;
    this.exceptionHandler = config.exceptionHandler ?? config.template?.exceptionHandler;
    this.bearerHeaders = bearerHeaderSource(this.tokenFinder);
  }

  get refreshEnabled(): boolean {
    return this.config.refresh !== undefined;
  }
  get refreshExpPeriod(): number | undefined {
    return this.config.refresh?.expPeriod;
  }
  /** configRefresh may bring its own finder, so this one is read each time. */
  get refreshFinder(): Finder | undefined {
    return this.config.refresh?.finder ?? this.config.refreshFinder ?? this.template?.refreshFinder;
  }
  /** The public JWK Set of an RS/PS/ES instance, to serve at /.well-known/jwks.json (see `jwksResponse`). */
  jwks(): JwkSet {
    return publishedJwks(this.config);
  }
  /** The current time in seconds, on the injected clock. */
  nowSeconds(): number {
    return nowSeconds(this.config);
  }
}
