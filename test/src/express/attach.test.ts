import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import express5 from 'express';
import express4 from 'express4';
import { ApoJwt, type JsonObject } from '@apojwt/express';
import { BASE, REFRESH, bearer, request } from '@apojwt/conformance';
import { serve } from '@apojwt/testing';

/**
 * Express keeps the verified values off the request object itself (see
 * packages/express/src/attach.ts); they must still read as `req.tokenData`
 * everywhere: in a mounted sub-app, back in the parent app, after two guards.
 */
for (const [name, create] of [
  ['Express 5', express5],
  ['Express 4', express4],
] as const) {
  describe(`${name}: request state`, () => {
    test('an object derived from the request (Object.create(req)) reads its values, and a wrapper of an earlier request still reads that request’s', async () => {
      const apo = new ApoJwt({ ...BASE, template: 'express' });
      const app = create();
      const seen: JsonObject[] = [];
      let earlier: object | undefined;
      app.get('/orders', apo.tokenRequired(), (req, res) => {
        const derived = Object.create(req) as { tokenSubject?: string };
        const unrelated = earlier === undefined ? undefined : (Object.create(earlier) as { tokenSubject?: string });
        earlier ??= req;
        seen.push({ own: req.tokenSubject, derived: derived.tokenSubject, earlierRequest: unrelated === undefined ? null : (unrelated.tokenSubject ?? null) });
        res.json({});
      });
      const server = await serve(app);
      try {
        for (const sub of ['user-1', 'user-2']) {
          const answer = await request(server.url, '/orders', { headers: bearer(apo.createToken({ sub }) as string) });
          assert.equal(answer.status, 200, answer.text);
        }
        // The first request's values stay its own: a wrapper of it reads user-1, even while user-2 is served.
        assert.deepEqual(seen, [
          { own: 'user-1', derived: 'user-1', earlierRequest: null },
          { own: 'user-2', derived: 'user-2', earlierRequest: 'user-1' },
        ]);
      } finally {
        await server.close();
      }
    });

    test('a value set on the request before the guard ran never hides the verified one', async () => {
      const apo = new ApoJwt({ ...BASE, template: 'express' });
      const app = create();
      const seen: JsonObject[] = [];
      // A middleware that writes the names the guard fills, once before the accessors exist (the first request) and after.
      app.use((req, _res, next) => {
        Object.assign(req, { tokenSubject: 'forged', tokenPermissions: ['admin'], tokenData: { tenant: 'forged' } });
        next();
      });
      app.get('/orders', apo.permissionRequired('orders:read'), (req, res) => {
        seen.push({ sub: req.tokenSubject, perms: [...req.tokenPermissions!], data: req.tokenData as JsonObject });
        res.json({});
      });
      const server = await serve(app);
      try {
        for (const sub of ['user-1', 'user-2']) {
          const token = apo.createToken({ sub, permissions: ['orders:read'], data: { tenant: 't1' } }) as string;
          const answer = await request(server.url, '/orders', { headers: bearer(token) });
          assert.equal(answer.status, 200, answer.text);
        }
        assert.deepEqual(seen, [
          { sub: 'user-1', perms: ['orders:read'], data: { tenant: 't1' } },
          { sub: 'user-2', perms: ['orders:read'], data: { tenant: 't1' } },
        ]);
      } finally {
        await server.close();
      }
    });

    test('values read as req properties across sub-apps and stacked guards, and stay assignable', async () => {
      const apo = new ApoJwt({ ...BASE, template: 'express' }).configRefresh(REFRESH);
      const seen: JsonObject[] = [];
      const api = create();
      api.get('/orders', apo.permissionRequired('orders:read'), apo.tokenRequired(), (req, _res, next) => {
        seen.push({ where: 'sub-app', sub: req.tokenSubject, perms: req.tokenPermissions ? [...req.tokenPermissions] : undefined });
        next();
      });
      const app = create();
      app.use('/api', api);
      app.use((req, res) => {
        seen.push({ where: 'parent', sub: req.tokenSubject, data: req.tokenData, own: Object.keys(req).includes('tokenSubject') });
        req.tokenSubject = 'overridden';
        res.json({ after: req.tokenSubject });
      });
      const server = await serve(app);
      try {
        const url = server.url;
        const token = apo.createToken({ sub: 'user-1', permissions: ['orders:read'], data: { tenant: 't1' } }).accessToken;
        const answer = await request(url, '/api/orders', { headers: bearer(token) });
        assert.equal(answer.status, 200, answer.text);
        assert.deepEqual(answer.json, { after: 'overridden' });
        assert.deepEqual(seen, [
          { where: 'sub-app', sub: 'user-1', perms: ['orders:read'] },
          { where: 'parent', sub: 'user-1', data: { tenant: 't1' }, own: false },
        ]);
        const denied = await request(url, '/api/orders', { headers: bearer(apo.createToken({ sub: 'u2' }).accessToken) });
        assert.equal(denied.status, 403);
        assert.equal(denied.json['error'], 'ERR_PERMISSION_DENIED');
        assert.equal(seen.length, 2, 'no handler ran for the refused request');
      } finally {
        await server.close();
      }
    });
  });
}
