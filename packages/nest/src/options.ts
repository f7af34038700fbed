import { ApoJwt, ApoJwtConfigError, createApoJwt, setDefaultApoJwt, type AnyApoJwt, type ApoJwtOptions } from '@apojwt/core';
import { credentialsOf, nestTemplate } from './template.js';
import type { Credentials } from './request.js';
import type { ApoJwtInstance } from './types.js';

export type Platform = 'express' | 'fastify';

/** What the module itself takes, beside the ApoJwt options or instance. */
export interface ApoJwtModuleSettings {
  /**
   * 'global' (default): the guard runs for every route (APP_GUARD), so the
   * metadata decorators work without `@UseGuards`. 'none': apply
   * `@UseGuards(ApoJwtGuard)` where you want it.
   */
  guard?: 'global' | 'none';
  /**
   * Refuse every handler that carries no apojwt decision (neither a
   * requirement nor `@Public()`), so a route added without one fails closed.
   * Default false.
   */
  requireDecision?: boolean;
  /** The HTTP platform; default: detected. When given, start-up fails if the app runs on another. */
  platform?: Platform;
  /** Also accept the access token from this cookie (header and cookie must agree). Default: header only. */
  cookie?: string;
  /** The refresh token's cookie, read by `@Refresh()`. Default: the instance's template's, else `apojwt_refresh`. */
  refreshCookie?: string;
}

/** The module finds tokens itself: these ApoJwt options have no meaning under it. */
type FrameworkOptions = 'template' | 'tokenFinder' | 'refreshFinder' | 'exceptionHandler';

/** `forRoot` options: the ApoJwt options (the module creates the instance), or an instance of your own as `apo`. */
export type ApoJwtModuleOptions = (Omit<ApoJwtOptions, FrameworkOptions> & ApoJwtModuleSettings & { apo?: undefined }) | (ApoJwtModuleSettings & { apo: AnyApoJwt });

/** The validated, frozen settings the guard, interceptor and filter read. */
export interface ResolvedModuleOptions {
  readonly apo: ApoJwtInstance;
  readonly guard: 'global' | 'none';
  readonly requireDecision: boolean;
  readonly platform: Platform | undefined;
  readonly credentials: Credentials;
}

const FRAMEWORK_OPTIONS: readonly FrameworkOptions[] = ['template', 'tokenFinder', 'refreshFinder', 'exceptionHandler'];

/**
 * Checks every option once, when the module is created (forRoot: when it is
 * called; forRootAsync: when the factory answers), with a specific message;
 * unknown ApoJwt options are refused by the ApoJwt constructor itself.
 */
export function resolveModuleOptions(options: unknown): ResolvedModuleOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new ApoJwtConfigError('ApoJwtModule options must be an object');
  const { apo: given, guard, requireDecision, platform, cookie, refreshCookie, ...rest } = options as Record<string, unknown>;
  if (guard !== undefined && guard !== 'global' && guard !== 'none') throw new ApoJwtConfigError(`ApoJwtModule option guard must be 'global' or 'none'`);
  if (requireDecision !== undefined && typeof requireDecision !== 'boolean') throw new ApoJwtConfigError('ApoJwtModule option requireDecision must be a boolean');
  if (platform !== undefined && platform !== 'express' && platform !== 'fastify') throw new ApoJwtConfigError(`ApoJwtModule option platform must be 'express' or 'fastify'`);
  for (const key of FRAMEWORK_OPTIONS) {
    if (key in rest) {
      throw new ApoJwtConfigError(`ApoJwtModule finds tokens itself: drop the ${key} option (use cookie / refreshCookie, or pass an instance of your own as apo)`);
    }
  }
  const names = { ...(cookie !== undefined && { cookie }), ...(refreshCookie !== undefined && { refreshCookie }) } as { cookie?: string; refreshCookie?: string };
  credentialsOf(names); // cookie names checked before anything is built
  let apo: ApoJwtInstance;
  if (given !== undefined) {
    if (!(given instanceof ApoJwt)) throw new ApoJwtConfigError('ApoJwtModule option apo must be an ApoJwt instance (createApoJwt)');
    const extra = Object.keys(rest);
    if (extra.length > 0) throw new ApoJwtConfigError(`ApoJwtModule takes either apo or ApoJwt options, not both (got ${extra.join(', ')} beside apo)`);
    apo = given as ApoJwtInstance;
    // Core's standalone decorators (`@permissionRequired` without { apo }) check with the module's instance.
    setDefaultApoJwt(apo);
  } else {
    // createApoJwt: the new instance is also the one core's standalone decorators use.
    apo = createApoJwt({ ...(rest as unknown as ApoJwtOptions), template: nestTemplate(names) }) as ApoJwtInstance;
  }
  const credentials = credentialsOf({ ...names, refreshCookie: (refreshCookie as string | undefined) ?? apo.template?.refreshCookie });
  return Object.freeze({ apo, guard: guard ?? 'global', requireDecision: requireDecision ?? false, platform, credentials });
}
