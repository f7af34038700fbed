import { ApoJwtConfigError, type ApoJwt } from '@apojwt/core';
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import fp from 'fastify-plugin';
import { REQUEST_KEYS, VALUES_SLOT, requestValueAccessor } from './attach.js';
import { fastifyGuard } from './pre-handler.js';
import { addRequestScope } from './request-scope.js';

export interface ApoJwtPluginOptions {
  /** The instance whose checks `fastify.apojwt` runs (normally `createApoJwt({ template: 'fastify', ... })`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  apo: ApoJwt<any, any, any, boolean>;
  /**
   * `'auto'` (default): requests run in the request scope once a decorated
   * method exists, so a decorated service-layer method (called without
   * `(request, reply)`) checks the current request: from the first hook on
   * when one existed as the plugin loaded, otherwise around the handlers of
   * routes registered after it (docs/fastify.md). `false`: no
   * scope; decorated methods must then be called with `(request, reply)`,
   * and one called otherwise is an ApoJwtConfigError. On Node 20 the scope
   * (AsyncLocalStorage) makes every promise of the process cost more: about
   * 4-5 µs per Fastify request in bench/adapters.md, which an app whose
   * decorated methods all receive the request need not pay.
   */
  requestScope?: 'auto' | false;
}

const KNOWN = ['apo', 'requestScope'];

/** Checked when the plugin loads: a misspelt option would otherwise be ignored silently. */
function checkOptions(options: unknown): ApoJwtPluginOptions {
  if (options === null || typeof options !== 'object') throw new ApoJwtConfigError('apojwtPlugin options must be an object with apo');
  for (const key of Object.keys(options)) {
    if (!KNOWN.includes(key)) throw new ApoJwtConfigError(`unknown apojwtPlugin option "${key}" (known: ${KNOWN.join(', ')})`);
  }
  const { apo } = options as Partial<ApoJwtPluginOptions>;
  if (apo === undefined) throw new ApoJwtConfigError('apojwtPlugin needs the apo option: the ApoJwt instance');
  if (apo === null || typeof apo !== 'object' || typeof apo.authorize !== 'function') {
    throw new ApoJwtConfigError('apojwtPlugin option apo must be an ApoJwt instance');
  }
  if (apo.template === undefined) throw new ApoJwtConfigError("apojwtPlugin: the instance has no template: create it with template: 'fastify'");
  const { requestScope } = options as Partial<ApoJwtPluginOptions>;
  if (requestScope !== undefined && requestScope !== 'auto' && requestScope !== false) {
    throw new ApoJwtConfigError("apojwtPlugin option requestScope must be 'auto' or false");
  }
  return options as ApoJwtPluginOptions;
}

function setUp(fastify: FastifyInstance, options: ApoJwtPluginOptions): void {
  // Fastify passes its own keys (prefix, logLevel) to a plugin's options only when the app set them: not ours to check.
  const { prefix: _prefix, logLevel: _logLevel, logSerializers: _serializers, ...own } = options as ApoJwtPluginOptions & Record<string, unknown>;
  const { apo, requestScope = 'auto' } = checkOptions(own);
  if (fastify.hasDecorator('apojwt')) throw new ApoJwtConfigError('apojwtPlugin is registered twice on this app');
  declareRequestValues(fastify);
  fastify.decorate('apojwt', fastifyGuard(apo));
  // Requests run in the request scope (once a decorated method exists): decorated service-layer methods find it.
  if (requestScope === 'auto') addRequestScope(fastify);
}

/**
 * One slot per request, null until a check passes, and the names as
 * accessors reading it (attach.ts), so every request keeps one shape. An app
 * that declared one of the names itself (for its typings, say) keeps its
 * declaration: the names are then all plain values, null until a check
 * passes and written by it, and no slot is declared.
 */
function declareRequestValues(fastify: FastifyInstance): void {
  if (REQUEST_KEYS.some((key) => fastify.hasRequestDecorator(key))) {
    for (const key of REQUEST_KEYS) if (!fastify.hasRequestDecorator(key)) fastify.decorateRequest(key, null);
    return;
  }
  fastify.decorateRequest(VALUES_SLOT, null);
  for (const key of REQUEST_KEYS) fastify.decorateRequest(key, requestValueAccessor(key));
}

const plugin: FastifyPluginCallback<ApoJwtPluginOptions> = (fastify, options, done) => {
  // A callback plugin reports failure through done: a throw here would escape Fastify's boot and crash the process.
  try {
    setUp(fastify, options);
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
};

/**
 * `fastify.register(apojwtPlugin, { apo })`: declares the request values
 * (`request.tokenSubject` …), enters the request scope for every request, and offers the instance's checks as
 * `fastify.apojwt.permissionRequired(...)` preHandler hooks. Made with
 * fastify-plugin, so both reach every route of the app, not only the
 * plugin's own context.
 */
export const apojwtPlugin = fp(plugin, { fastify: '5.x', name: '@apojwt/fastify' });
