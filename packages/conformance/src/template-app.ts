import { ApoJwt, createApoJwt, type JsonObject, type Template } from '@apojwt/core';
import type { ControllerModule, FrameworkUnderTest, Route, Running } from './framework.js';
import { BASE, REFRESH } from './fixtures.js';

/** The instances and the server one run of the template suite talks to. */
export interface TemplateApp {
  server: Running;
  /** `createApoJwt({ template: framework.template, refresh })`: the default instance the standalone decorators use. */
  apo: ApoJwt<string, JsonObject, JsonObject, true>;
  /** With a renamed refresh cookie (`sid`); present when `features.refreshCookie`. */
  renamedApo: ApoJwt<string, JsonObject, JsonObject, true> | undefined;
}

/** A user's own template object: the framework's, with an async finder reading `X-Token`. */
function customTemplate(framework: FrameworkUnderTest): Template {
  const base = framework.makeTemplate({ name: `custom-${framework.template}` });
  return {
    ...base,
    name: 'custom',
    tokenFinder: async (first: unknown) => {
      await Promise.resolve();
      const raw = framework.rawHeadersOf(first);
      const at = raw.findIndex((name) => name.toLowerCase() === 'x-token');
      return at === -1 ? undefined : raw[at + 1];
    },
  };
}

/**
 * Every route the template suite calls, over one framework and one decorator
 * mode: the controllers (standalone, class-level, stacked, bound and refresh
 * decorators), the same checks as middleware, the refresh endpoint, and one
 * instance per template option (cookie, framework errors, custom finder,
 * realm, renamed refresh cookie). Routes for a feature the framework does not
 * declare are not mounted.
 */
export async function startTemplateApp(framework: FrameworkUnderTest, controllers: ControllerModule): Promise<TemplateApp> {
  const { view } = controllers;
  const { features } = framework;
  const apo = createApoJwt({ ...BASE, template: framework.template, refresh: REFRESH });
  const customApo = new ApoJwt({ ...BASE, template: customTemplate(framework) });
  const realmApo = new ApoJwt({ ...BASE, template: framework.template, realm: 'orders' });
  const orders = new controllers.OrdersController();
  const classGuarded = new controllers.ClassGuardedController();
  const session = new controllers.SessionController(apo);
  const bound = controllers.boundController(apo);
  const endpoint =
    (name: string) =>
    (...args: unknown[]) =>
      view(name, { label: 'middleware' }, args);
  const routes: Route[] = [
    { method: 'GET', path: '/profile', chain: [(...a: unknown[]) => orders.profile(...a)] },
    { method: 'GET', path: '/orders', chain: [(...a: unknown[]) => orders.read(...a)] },
    { method: 'GET', path: '/orders/read-write', chain: [(...a: unknown[]) => orders.readWrite(...a)] },
    { method: 'GET', path: '/orders/read-both', chain: [(...a: unknown[]) => orders.readBoth(...a)] },
    { method: 'GET', path: '/orders/write-or-billing', chain: [(...a: unknown[]) => orders.writeOrBilling(...a)] },
    { method: 'GET', path: '/orders/items-write', chain: [(...a: unknown[]) => orders.itemsWrite(...a)] },
    { method: 'GET', path: '/stack/token-then-permission', chain: [(...a: unknown[]) => orders.tokenThenPermission(...a)] },
    { method: 'GET', path: '/stack/permission-then-token', chain: [(...a: unknown[]) => orders.permissionThenToken(...a)] },
    { method: 'GET', path: '/boom', chain: [(...a: unknown[]) => orders.boom(...a)] },
    { method: 'GET', path: '/class/list', chain: [(...a: unknown[]) => classGuarded.list(...a)] },
    { method: 'GET', path: '/class/write', chain: [(...a: unknown[]) => classGuarded.write(...a)] },
    { method: 'GET', path: '/bound', chain: [(...a: unknown[]) => bound.read(...a)] },
    { method: 'POST', path: '/session/renew', chain: [(...a: unknown[]) => session.renew(...a)] },
    {
      method: 'POST',
      path: '/auth/refresh',
      chain: [apo.refreshEndpoint({ issue: (claims) => ({ sub: claims.sub, permissions: ['orders:read'], refreshData: claims.data }) })],
    },
    { method: 'GET', path: '/mw/orders', chain: [apo.permissionRequired('orders:read'), endpoint('mwOrders')] },
    { method: 'GET', path: '/mw/profile', chain: [apo.tokenRequired(), endpoint('mwProfile')] },
    {
      method: 'POST',
      path: '/mw/renew',
      chain: [apo.refresh(), (...a: unknown[]) => ({ ...view('mwRenew', { label: 'middleware' }, a), ...apo.createToken({ sub: 'user-1' }) })],
    },
    { method: 'GET', path: '/custom/orders', chain: [customApo.permissionRequired('orders:read'), endpoint('customOrders')] },
    { method: 'GET', path: '/realm/orders', chain: [realmApo.permissionRequired('orders:read'), endpoint('realmOrders')] },
  ];
  if (features.cookie) {
    const cookieApo = new ApoJwt({ ...BASE, template: framework.makeTemplate({ name: 'with-cookie', cookie: 'access_token' }) });
    routes.push({ method: 'GET', path: '/cookie/orders', chain: [cookieApo.permissionRequired('orders:read'), endpoint('cookieOrders')] });
  }
  if (features.frameworkErrors) {
    const frameworkErrorsApo = new ApoJwt({ ...BASE, template: framework.makeTemplate({ name: 'framework-errors', frameworkErrors: true }) });
    routes.push({ method: 'GET', path: '/framework-errors/orders', chain: [frameworkErrorsApo.permissionRequired('orders:read'), endpoint('fwOrders')] });
  }
  let renamedApo: ApoJwt<string, JsonObject, JsonObject, true> | undefined;
  if (features.refreshCookie) {
    renamedApo = new ApoJwt({ ...BASE, template: framework.makeTemplate({ name: 'renamed', refreshCookie: 'sid' }) }).configRefresh(REFRESH);
    routes.push({ method: 'POST', path: '/renamed/refresh', chain: [renamedApo.refreshEndpoint({ cookie: { path: '/renamed/refresh' } })] });
  }
  if (controllers.InjectedController && controllers.InjectedClassController) {
    const injected = new controllers.InjectedController();
    const injectedClass = new controllers.InjectedClassController();
    routes.push(
      { method: 'GET', path: '/injected/read', chain: [(...a: unknown[]) => injected.read(...a)] },
      { method: 'POST', path: '/injected/renew', chain: [(...a: unknown[]) => injected.renew(...a)] },
      { method: 'GET', path: '/injected/who', chain: [(...a: unknown[]) => injectedClass.who(...a)] },
    );
  }
  return { server: await framework.serve(routes), apo, renamedApo };
}
