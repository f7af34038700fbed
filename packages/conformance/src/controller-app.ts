import type { ApoJwt, ApoJwtOptions, JsonObject } from '@apojwt/core';
import type { Running } from './framework.js';

/** What the suite hands {@link ControllerAppUnderTest.serve}. */
export interface ControllerAppSetup {
  /**
   * The instance to guard with: `createApoJwt(options)` (so it is also the
   * default instance standalone decorators use), with refresh tokens
   * configured. The suite mints every token with it and reads the frozen
   * {@link clock}; the app must verify with this instance (not one of its
   * own) so that refresh reuse is seen by the store the suite's tokens live in.
   */
  apo: ApoJwt<string, JsonObject, JsonObject, true>;
  /** The options `apo` was made from (`BASE`, `refresh`, and the app's `template` if it named one). */
  options: ApoJwtOptions;
}

/**
 * A framework whose controllers are classes the framework itself calls
 * (NestJS, routing-controllers), serving the contract of
 * {@link CONTROLLER_ROUTES}: what {@link runControllerConformance} runs
 * against. One object per framework pairing (Nest on platform-express and
 * on platform-fastify are two).
 */
export interface ControllerAppUnderTest {
  /** Shown in the suite's name, e.g. `NestJS on platform-express`. */
  name: string;
  /** The template `apo` is created with (a registered name or a template object), when the integration uses one. */
  template?: ApoJwtOptions['template'];
  /**
   * Every handler pushes its route's `handler` name here when its body runs
   * (the suite empties it before each test), so the suite can assert that a
   * refused request never reached the handler.
   */
  ran: string[];
  /**
   * Starts the app on 127.0.0.1 port 0 with every route of
   * {@link CONTROLLER_ROUTES} (and the class-level requirements of
   * {@link CONTROLLER_CLASSES}), guarded by `setup.apo`. Refusals answer with
   * apojwt's status, `WWW-Authenticate` and JSON body `{ error: code, … }`; an
   * error a handler throws answers 500, the framework's own way, with no token
   * or secret in it. Called once per suite; the suite closes it at the end.
   */
  serve(setup: ControllerAppSetup): Promise<Running>;
}
