// Decision events for API keys (decision-events.ts, reported-authorize.ts):
// every key check reports one event, with `credential: 'apiKey'` and the
// key's lookup id, refusals included (invalid, expired, revoked, 403, 503);
// the key and its secret are in no event and no span attribute. Over real
// HTTP on Express, the guard reports the route too.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MemoryApiKeyStore, type ApiKeyStore, type DecisionEvent } from '@apojwt/core';
import { ApoJwt as ExpressApoJwt } from '@apojwt/express';
import { FrozenClock, makeApo } from '../support/core.js';
import { apoError, failOnUnhandledRejections } from '../support/helpers.js';

const unhandled = failOnUnhandledRejections();
after(() => unhandled.check());

function setUp(store: ApiKeyStore = new MemoryApiKeyStore()) {
  const clock = new FrozenClock();
  const events: DecisionEvent[] = [];
  const apo = makeApo(clock, { apiKeys: { store }, roles: { viewer: { permissions: ['orders:read'] } }, onDecision: (event) => events.push(event) });
  return { apo, clock, events, keys: apo.apiKeys! };
}

/** Neither the key nor its secret part (what follows the id) anywhere in the event. */
function assertNoKey(event: unknown, key: string): void {
  const text = JSON.stringify(event);
  assert.ok(!text.includes(key), 'the key');
  assert.ok(!text.includes(key.slice(key.lastIndexOf('_') + 1)), 'its secret');
}

describe('API-key decision events', () => {
  test('allow: credential apiKey, the key id and its subject, what satisfied the requirement, the given route', async () => {
    const { apo, events, keys } = setUp();
    const created = await keys.create({ subject: 'partner:acme', permissions: ['orders:read'], name: 'sync' });
    await apo.authorizeApiKey(created.key, 'orders:read', { route: 'GET /orders' });
    assert.equal(events.length, 1);
    const [event] = events as [DecisionEvent];
    assert.equal(event.outcome, 'allow');
    assert.equal(event.status, 200);
    assert.equal(event.credential, 'apiKey');
    assert.equal(event.keyId, created.id);
    assert.equal(event.sub, 'partner:acme');
    assert.equal(event.jti, undefined);
    assert.equal(event.requirement, 'orders:read');
    assert.deepEqual(event.satisfiedBy, ['orders:read']);
    assert.equal(event.route, 'GET /orders');
    assert.ok(event.durationMs >= 0 && Object.isFrozen(event));
    assertNoKey(event, created.key);
  });

  test('refusals: invalid (wrong secret, unknown id, wrong form), expired, revoked, 403, each denied with its code and never the key', async () => {
    const { apo, clock, events, keys } = setUp();
    const live = await keys.create({ subject: 'svc', permissions: ['orders:read'] });
    const expiring = await keys.create({ subject: 'svc', permissions: ['orders:read'], expiresAt: clock.seconds + 5 });
    const revoked = await keys.create({ subject: 'svc', permissions: ['orders:read'] });
    await keys.revoke(revoked.id);
    const unknown = await unknownKey();
    // Another secret spliced in: the checksum no longer matches, so the form is refused and no id is named.
    const wrongSecret = live.key.slice(0, live.key.lastIndexOf('_') + 1) + unknown.slice(unknown.lastIndexOf('_') + 1);
    clock.advance(5);
    const cases = [
      { key: 'apo_live_not-a-key', code: 'ERR_API_KEY_INVALID', status: 401, keyId: undefined, sub: undefined },
      { key: wrongSecret, code: 'ERR_API_KEY_INVALID', status: 401, keyId: undefined, sub: undefined },
      { key: unknown, code: 'ERR_API_KEY_INVALID', status: 401, keyId: keys.idOf(unknown), sub: undefined },
      { key: expiring.key, code: 'ERR_API_KEY_EXPIRED', status: 401, keyId: expiring.id, sub: undefined },
      { key: revoked.key, code: 'ERR_API_KEY_REVOKED', status: 401, keyId: revoked.id, sub: undefined },
    ] as const;
    for (const { key, code, status, keyId, sub } of cases) {
      await assert.rejects(apo.authorizeApiKey(key, 'orders:read'), apoError(code, status));
      const event = events.at(-1)!;
      assert.deepEqual(
        { outcome: event.outcome, code: event.code, status: event.status, credential: event.credential, keyId: event.keyId, sub: event.sub },
        { outcome: 'deny', code, status, credential: 'apiKey', keyId, sub },
        code,
      );
      assertNoKey(event, key);
    }
    assert.ok(cases[2].keyId !== undefined, 'the well-formed unknown id is named');
    // A valid key without the permission: the key is known, so its id and subject are.
    await assert.rejects(apo.authorizeApiKey(live.key, 'orders:write'), apoError('ERR_PERMISSION_DENIED', 403));
    const denied = events.at(-1)!;
    assert.deepEqual([denied.code, denied.status, denied.keyId, denied.sub, denied.satisfiedBy], ['ERR_PERMISSION_DENIED', 403, live.id, 'svc', []]);
    assertNoKey(denied, live.key);
    assert.equal(events.length, cases.length + 1, 'one event per check');
  });

  test('a store that cannot answer: denied 503 ERR_STORE_UNAVAILABLE, the key id named', async () => {
    const store = new MemoryApiKeyStore();
    const { apo, events, keys } = setUp(store);
    const created = await keys.create({ subject: 'svc', permissions: [] });
    const down = setUp(Object.assign(Object.create(store) as MemoryApiKeyStore, { get: () => Promise.reject(new Error('connection refused')) }));
    await assert.rejects(down.apo.authorizeApiKey(created.key), apoError('ERR_STORE_UNAVAILABLE', 503));
    const [event] = down.events as [DecisionEvent];
    assert.deepEqual([event.outcome, event.code, event.status, event.keyId, event.requirement], ['deny', 'ERR_STORE_UNAVAILABLE', 503, created.id, 'token']);
    assertNoKey(event, created.key);
    assert.equal(events.length, 0);
    void apo;
  });

  test('token decisions say credential token and no key id', async () => {
    const { apo, events } = setUp();
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] }) as string;
    await apo.authorize(token, 'orders:read');
    assert.deepEqual([events[0]?.credential, events[0]?.keyId], ['token', undefined]);
  });
});

/** A well-formed key made on another store: unknown here. */
async function unknownKey(): Promise<string> {
  return (await setUp().keys.create({ subject: 'elsewhere', permissions: [] })).key;
}

describe('API-key decisions on a guarded Express route and on the active span', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const manager = new AsyncLocalStorageContextManager();
  before(() => {
    context.setGlobalContextManager(manager.enable());
    trace.setGlobalTracerProvider(provider);
  });
  after(() => {
    trace.disable();
    context.disable();
  });

  test('the guard reports allow and deny with the matched route; the span gets the credential and the key id, never the key', async () => {
    const events: DecisionEvent[] = [];
    const apo = new ExpressApoJwt({
      secret: 'decision-events-api-keys-secret-0123456789',
      iss: 'auth',
      serverAudience: 'orders',
      template: 'express',
      apiKeys: {},
      onDecision: (e) => events.push(e),
    });
    const created = await apo.apiKeys!.create({ subject: 'partner:acme', permissions: ['orders:read'] });
    const app = express();
    const tracer = trace.getTracer('test');
    app.use((_req, _res, next) =>
      tracer.startActiveSpan('request', (span) => {
        _res.on('finish', () => span.end());
        next();
      }),
    );
    app.get('/orders/:id', apo.permissionRequired('orders:read', { accept: ['bearer', 'apiKey'] }), (_req, res) => res.json({ ok: true }));
    app.post('/orders', apo.permissionRequired('orders:write', { accept: ['apiKey'] }), (_req, res) => res.json({ ok: true }));
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const first = await fetch(`${url}/orders/7`, { headers: { 'X-API-Key': created.key } });
      assert.equal(first.status, 200, await first.text());
      assert.equal((await fetch(`${url}/orders`, { method: 'POST', headers: { Authorization: `ApiKey ${created.key}` } })).status, 403);
      const revokedKey = created.key;
      await apo.apiKeys!.revoke(created.id);
      assert.equal((await fetch(`${url}/orders/7`, { headers: { 'X-API-Key': revokedKey } })).status, 401);
    } finally {
      server.close();
      await once(server, 'close');
    }
    assert.deepEqual(
      events.map((e) => [e.outcome, e.code, e.credential, e.keyId, e.route]),
      [
        ['allow', undefined, 'apiKey', created.id, 'GET /orders/:id'],
        ['deny', 'ERR_PERMISSION_DENIED', 'apiKey', created.id, 'POST /orders'],
        ['deny', 'ERR_API_KEY_REVOKED', 'apiKey', created.id, 'GET /orders/:id'],
      ],
    );
    for (const event of events) assertNoKey(event, created.key);
    const spans = exporter.getFinishedSpans().filter((span) => span.attributes['apojwt.decision.outcome'] !== undefined);
    assert.equal(spans.length, 3);
    for (const span of spans) {
      assert.equal(span.attributes['apojwt.decision.credential'], 'apiKey');
      assert.equal(span.attributes['apojwt.api_key.id'], created.id);
      assertNoKey(span.attributes, created.key);
    }
  });
});
