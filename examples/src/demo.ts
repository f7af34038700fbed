import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOrdersService } from './express-service.js';
import { createBillingService } from './koa-service.js';
import { demoClock } from './config.js';

/**
 * The scripted walkthrough: starts both services on 127.0.0.1 (free ports),
 * prints every request and answer, and exits non-zero if an answer is not
 * the expected one.
 */
async function start(listen: (port: number, host: string) => Server): Promise<{ server: Server; url: string }> {
  const server = listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const orders = await start((port, host) => createOrdersService().listen(port, host));
const billing = await start((port, host) => createBillingService().listen(port, host));

const short = (text: string) => text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, (token) => `${token.slice(0, 12)}…(${token.length} chars)`);
let failures = 0;

async function step(title: string, expected: number, url: string, init: RequestInit = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  console.log(`\n▶ ${title}`);
  console.log(`  ${method} ${url}`);
  const headers = new Headers(init.headers);
  for (const [name, value] of headers) console.log(`  ${name}: ${short(value)}`);
  const response = await fetch(url, init);
  const body = await response.clone().text();
  console.log(`  ← ${response.status} ${response.statusText}`);
  for (const name of ['www-authenticate', 'set-cookie']) {
    const value = response.headers.get(name);
    if (value) console.log(`  ← ${name}: ${short(value)}`);
  }
  console.log(`  ← ${short(body)}`);
  if (response.status !== expected) {
    failures++;
    console.log(`  ✗ expected ${expected}`);
  }
  return response;
}

try {
  const login = await step('Log in as alice (orders:read, billing:read)', 200, `${orders.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'alice' }),
  });
  const { accessToken } = (await login.json()) as { accessToken: string };
  const refreshCookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });

  await step('Allowed: list orders (Express, @permissionRequired("orders:read"))', 200, `${orders.url}/orders`, { headers: auth(accessToken) });
  await step('Allowed on the other service: invoices (Koa, any of billing:read/billing:admin)', 200, `${billing.url}/invoices`, { headers: auth(accessToken) });
  await step('Forbidden: create an order without orders:write → 403 insufficient_scope', 403, `${orders.url}/orders`, {
    method: 'POST',
    headers: { ...auth(accessToken), 'content-type': 'application/json' },
    body: JSON.stringify({ item: 'tea' }),
  });
  await step('No token → 401 with a bare Bearer challenge', 401, `${billing.url}/me`);
  await step('Malformed Authorization header → 400 invalid_request', 400, `${orders.url}/orders`, { headers: { authorization: 'Basic YWxpY2U6cHc=' } });
  const refreshed = await step('Refresh: the httpOnly cookie buys a new access token and a new cookie', 200, `${orders.url}/auth/refresh`, {
    method: 'POST',
    headers: { cookie: refreshCookie },
  });
  const renewed = ((await refreshed.json()) as { accessToken: string }).accessToken;
  await step('The same refresh cookie again → 401 (single use)', 401, `${orders.url}/auth/refresh`, { method: 'POST', headers: { cookie: refreshCookie } });

  demoClock.offsetMs += 16 * 60 * 1000;
  console.log('\n⏩ The demo clock moves 16 minutes forward (access tokens live 15).');
  await step('Expired token → 401 invalid_token', 401, `${orders.url}/orders`, { headers: auth(renewed) });
} finally {
  orders.server.close();
  billing.server.close();
}

console.log(failures === 0 ? '\n✔ every answer was the expected one' : `\n✗ ${failures} unexpected answer(s)`);
process.exit(failures === 0 ? 0 : 1);
