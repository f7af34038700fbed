import { RequestMethod, type INestApplicationContext } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { RouteInfo } from '@apojwt/core';
import { decide, handlerName } from './decision.js';

/**
 * Every HTTP route of a Nest app with its apojwt decision, read from the same
 * metadata the guard reads (the combination rule of decision.ts): hand it to
 * `uncoveredRoutes` or `assertRoutesDecided` from core. A contradiction
 * (`@Public()` beside a requirement) throws here, as it does in the guard.
 * At request time, `requireDecision: true` refuses the same routes.
 */
export function nestRoutes(app: INestApplicationContext): RouteInfo[] {
  const reflector = new Reflector();
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
      const controller = wrapper.metatype as Function | undefined;
      if (typeof controller !== 'function') continue;
      const prefix = paths(Reflect.getMetadata(PATH_METADATA, controller));
      const prototype = controller.prototype as Record<string, unknown>;
      for (const key of methodNames(prototype)) {
        const handler = prototype[key];
        if (typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const decision = decide(reflector, handler, controller);
        const decided = decision.kind === 'undecided' ? undefined : decision.kind === 'public' ? 'public' : 'decision';
        for (const base of prefix) {
          for (const path of paths(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({ method: RequestMethod[method], path: join(base, path), handlers: [handlerName(controller, handler)], decided });
          }
        }
      }
    }
  }
  return routes;
}

/**
 * The method names of a controller and of the classes it extends, each once:
 * Nest serves the routes a controller inherits (its MetadataScanner walks the
 * prototype chain), so the coverage check must list them too.
 */
function methodNames(prototype: object): string[] {
  const names = new Set<string>();
  for (let level: object | null = prototype; level !== null && level !== Object.prototype; level = Object.getPrototypeOf(level) as object | null) {
    for (const name of Object.getOwnPropertyNames(level)) if (name !== 'constructor') names.add(name);
  }
  return [...names];
}

function paths(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

function join(base: string, path: string): string {
  const joined = `/${[base, path]
    .map((part) => part.replace(/^\/+|\/+$/g, ''))
    .filter((part) => part.length > 0)
    .join('/')}`;
  return joined;
}
