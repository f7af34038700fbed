import { test } from 'node:test';
import assert from 'node:assert/strict';
import Koa3 from 'koa';
import Koa2 from 'koa2';
import { ApoJwt, koaTemplate, type JsonObject } from '@apojwt/koa';
import { BASE, bearer, listen, request } from '@apojwt/conformance';

/** Values go on `ctx.state`: whatever the app wrote there under the same names before the guard, the route reads the verified ones. */
for (const [name, Koa] of [
  ['Koa 3', Koa3],
  ['Koa 2', Koa2 as unknown as typeof Koa3],
] as const) {
  test(`${name}: state the app set before the guard never hides the verified values`, async () => {
    const apo = new ApoJwt({ ...BASE, template: koaTemplate() });
    const guard = apo.permissionRequired('orders:read');
    const app = new Koa();
    app.use(async (ctx, next) => {
      Object.assign(ctx.state, { tokenSubject: 'forged', tokenPermissions: ['admin'], tokenData: { tenant: 'forged' } });
      await next();
    });
    app.use(guard);
    app.use((ctx) => {
      const state = ctx.state as { tokenSubject?: string; tokenPermissions?: string[]; tokenData?: JsonObject };
      ctx.body = { sub: state.tokenSubject ?? null, perms: state.tokenPermissions ?? null, data: state.tokenData ?? null };
    });
    const server = await listen(app.listen(0, '127.0.0.1'));
    try {
      const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'], data: { tenant: 't1' } }) as string;
      const answer = await request(server.url, '/orders', { headers: bearer(token) });
      assert.equal(answer.status, 200, answer.text);
      assert.deepEqual(answer.json, { sub: 'user-1', perms: ['orders:read'], data: { tenant: 't1' } });
    } finally {
      await server.close();
    }
  });
}
