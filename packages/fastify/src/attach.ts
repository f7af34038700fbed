import type { InjectedValues } from '@apojwt/core';

/** The request values a passed check fills, read as `request.tokenSubject` and so on. */
export const REQUEST_KEYS = ['tokenData', 'tokenSubject', 'tokenPermissions', 'tokenClaims', 'refreshData', 'refreshClaims'] as const;

/**
 * The one request property apojwt writes: every value a passed check
 * produced, in one object. `apojwtPlugin` declares it with
 * `decorateRequest` (null until a check passes) and declares the names
 * above as getters and setters on Fastify's request prototype, reading it.
 * Fastify sets each declared value on every new request with a computed-key
 * store (about 190 instructions each), so one slot instead of six own values
 * costs every request of the app, guarded or not, five fewer of those, and
 * a passed check one write instead of four. Shared through `Symbol.for`, so
 * two copies of this adapter in one app read each other's values.
 */
export const VALUES_SLOT: unique symbol = Symbol.for('apojwt.fastify.requestValues') as never;

type Held = Partial<Record<(typeof REQUEST_KEYS)[number], unknown>>;
type Request = Record<string, unknown> & { [VALUES_SLOT]?: Held | null };

/** Only what this request's checks produced, so a second guard (a hook, then a decorated handler) adds without erasing. */
export function attachToRequest(request: Request, values: InjectedValues): void {
  const held = request[VALUES_SLOT];
  if (held === undefined) {
    attachAsProperties(request, values);
    return;
  }
  request[VALUES_SLOT] = held === null ? (values as Held) : { ...held, ...(values as Held) };
}

/** Without the plugin there are no accessors: the values become plain properties of the request. */
function attachAsProperties(request: Request, values: InjectedValues): void {
  if (values.tokenClaims !== undefined) {
    request['tokenData'] = values.tokenData;
    request['tokenSubject'] = values.tokenSubject;
    request['tokenPermissions'] = values.tokenPermissions;
    request['tokenClaims'] = values.tokenClaims;
  }
  if (values.refreshClaims !== undefined) {
    request['refreshData'] = values.refreshData;
    request['refreshClaims'] = values.refreshClaims;
  }
}

/**
 * The plugin's getter and setter for one name: the value a check put in the
 * slot, null before one did. What the app assigns goes into the slot too, so
 * the next check's values replace it.
 */
export function requestValueAccessor(key: (typeof REQUEST_KEYS)[number]) {
  return {
    getter(this: Request): unknown {
      const held = this[VALUES_SLOT];
      // Own keys only: a name set on Object.prototype (prototype pollution) never reads as a verified value.
      return held != null && Object.hasOwn(held, key) ? held[key] : null;
    },
    setter(this: Request, value: unknown): void {
      this[VALUES_SLOT] = { ...this[VALUES_SLOT], [key]: value };
    },
  };
}
