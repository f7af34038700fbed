// Decision events (decision-events.ts): one per check, with outcome, code,
// status, sub, jti, requirement, what satisfied it, unknown roles, route and
// duration; never the token, the secret or claim values beyond sub/jti. With
// @opentelemetry/api installed, the active span gets the same attributes
// (checked with the SDK's in-memory exporter).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { allOf, definePolicy, type DecisionEvent } from '@apojwt/core';
import { FrozenClock, SECRET, claimValues, makeApo, rejects } from '../support/core.js';

const roles = { viewer: { permissions: ['orders:read'] }, clerk: { permissions: ['orders:write'], includes: ['viewer'] } };

function setUp() {
  const clock = new FrozenClock();
  const events: DecisionEvent[] = [];
  const apo = makeApo(clock, { roles, implications: { 'refunds:approve': ['refunds:read'] }, onDecision: (event) => events.push(event), adminPermission: 'admin' });
  const issuer = makeApo(clock, { roles: { ...roles, auditor: {} }, rolesInToken: 'claim' });
  return { apo, issuer, events };
}

/** No token, secret or claim value beyond sub, jti and the grant names (the app's vocabulary) anywhere in the event. */
function assertClean(event: DecisionEvent, token: string): void {
  const text = JSON.stringify(event);
  assert.ok(!text.includes(token.split('.')[2] ?? ''), 'signature');
  assert.ok(!text.includes(SECRET), 'secret');
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { perms: string[]; roles?: string[] };
  const vocabulary = new Set([...payload.perms, ...(payload.roles ?? [])]);
  for (const value of claimValues(token)) {
    if (value === event.sub || value === event.jti || vocabulary.has(value)) continue;
    assert.ok(!text.includes(value), `claim value ${value}`);
  }
}

describe('onDecision', () => {
  test('allow: sub, jti, the requirement and what satisfied it (own grant, role, implication)', async () => {
    const { apo, issuer, events } = setUp();
    const token = issuer.createToken({ sub: 'user-81', permissions: ['refunds:approve'], roles: ['clerk', 'auditor'], data: { tenant: 'tenant-secret-5521' } });
    const claims = await apo.authorize(token, ['orders:read', 'refunds:read', 'refunds:approve']);
    assert.equal(events.length, 1);
    const [event] = events as [DecisionEvent];
    assert.equal(event.outcome, 'allow');
    assert.equal(event.status, 200);
    assert.equal(event.code, undefined);
    assert.equal(event.sub, 'user-81');
    assert.equal(event.jti, claims.jti);
    assert.equal(event.requirement, 'all(orders:read, refunds:read, refunds:approve)');
    assert.deepEqual(event.satisfiedBy, ['role:clerk', 'refunds:approve ⇒ refunds:read', 'refunds:approve']);
    assert.deepEqual(event.unknownRoles, ['auditor']);
    assert.equal(event.route, undefined);
    assert.ok(event.durationMs >= 0);
    assert.ok(Object.isFrozen(event));
    assertClean(event, token);
  });

  test('deny 403: sub and jti known, the requirement named, nothing satisfied', async () => {
    const { apo, events } = setUp();
    const token = apo.createToken({ sub: 'user-82', permissions: ['orders:read'], data: { tenant: 'tenant-secret-5522' } });
    await rejects(apo.authorize(token, { any: ['orders:write', 'admin'] }), 'ERR_PERMISSION_DENIED');
    const [event] = events as [DecisionEvent];
    assert.equal(event.outcome, 'deny');
    assert.equal(event.code, 'ERR_PERMISSION_DENIED');
    assert.equal(event.status, 403);
    assert.equal(event.sub, 'user-82');
    assert.equal(event.requirement, 'any(orders:write, admin)');
    assert.deepEqual(event.satisfiedBy, []);
    assertClean(event, token);
  });

  test('deny 401: nothing read from a token that did not verify', async () => {
    const { apo, events } = setUp();
    const token = apo.createToken({ sub: 'user-83', permissions: ['orders:read'] });
    await rejects(apo.authorize(`${token.slice(0, -2)}xx`, 'orders:read'), 'ERR_SIGNATURE_INVALID');
    const [event] = events as [DecisionEvent];
    assert.equal(event.outcome, 'deny');
    assert.equal(event.status, 401);
    assert.equal(event.sub, undefined);
    assert.equal(event.jti, undefined);
    assert.equal(event.requirement, 'orders:read');
  });

  test('token only, a rule, an admin grant and a throwing rule', async () => {
    const { apo, events } = setUp();
    const token = apo.createToken({ sub: 'root', permissions: ['admin'] });
    await apo.authorize(token);
    assert.equal(events[0]?.requirement, 'token');
    const owner = definePolicy('owner', ({ claims }) => claims.sub === 'root');
    await apo.authorize(token, allOf('orders:read', owner));
    assert.equal(events[1]?.requirement, 'allOf("orders:read", owner)');
    assert.equal(events[1]?.outcome, 'allow');
    await apo.authorize(token, 'orders:write');
    assert.deepEqual(events[2]?.satisfiedBy, ['admin']);
    const broken = definePolicy('broken', () => {
      throw new Error('bug');
    });
    await assert.rejects(apo.authorize(token, broken), /bug/);
    assert.equal(events[3]?.outcome, 'error');
    assert.equal(events[3]?.status, 500);
    assert.equal(events[3]?.code, undefined);
  });

  test('a cache hit is reported like a miss; a hook that throws changes no answer', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, {
      onDecision: () => {
        throw new Error('hook failure');
      },
    });
    const token = apo.createToken({ sub: 'u', permissions: ['orders:read'] });
    const originalError = console.error;
    const logged: unknown[] = [];
    console.error = (...args: unknown[]) => logged.push(args[0]);
    try {
      assert.equal((await apo.authorize(token, 'orders:read')).sub, 'u');
      assert.equal((await apo.authorize(token, 'orders:read')).sub, 'u');
    } finally {
      console.error = originalError;
    }
    assert.equal(logged.length, 2);
  });

  test('a service with no roles declared reports every role of the token as unknown', async () => {
    const { issuer } = setUp();
    const events: DecisionEvent[] = [];
    const plain = makeApo(new FrozenClock(), { onDecision: (event) => events.push(event) });
    const token = issuer.createToken({ sub: 'u', permissions: ['orders:read'], roles: ['clerk'] });
    await plain.authorize(token, 'orders:read');
    assert.deepEqual(events[0]?.unknownRoles, ['clerk']);
    assert.deepEqual(events[0]?.satisfiedBy, ['orders:read']);
  });

  test('onDecision must be a function', () => {
    assert.throws(() => makeApo(new FrozenClock(), { onDecision: 'log' as never }), /onDecision must be a function/);
  });
});

describe('OpenTelemetry: attributes on the active span', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager();
  before(() => {
    contextManager.enable();
    context.setGlobalContextManager(contextManager);
    trace.setGlobalTracerProvider(provider);
  });
  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
  });

  test('each decision sets outcome, code, requirement, sub, jti on the span; no claim values', async () => {
    const clock = new FrozenClock();
    const apo = makeApo(clock, { roles });
    const token = apo.createToken({ sub: 'user-91', roles: ['clerk'], data: { tenant: 'tenant-secret-5591' } });
    const tracer = trace.getTracer('apojwt-test');
    await tracer.startActiveSpan('allowed', async (span) => {
      await apo.authorize(token, 'orders:read');
      span.end();
    });
    await tracer.startActiveSpan('denied', async (span) => {
      await rejects(apo.authorize(token, 'refunds:approve'), 'ERR_PERMISSION_DENIED');
      span.end();
    });
    const spans = exporter.getFinishedSpans();
    const allowed = spans.find((span) => span.name === 'allowed')?.attributes ?? {};
    const denied = spans.find((span) => span.name === 'denied')?.attributes ?? {};
    assert.equal(allowed['apojwt.decision.outcome'], 'allow');
    assert.equal(allowed['apojwt.decision.requirement'], 'orders:read');
    assert.equal(allowed['enduser.id'], 'user-91');
    assert.equal(typeof allowed['apojwt.token.jti'], 'string');
    assert.deepEqual(allowed['apojwt.decision.satisfied_by'], ['orders:read']);
    assert.equal(denied['apojwt.decision.outcome'], 'deny');
    assert.equal(denied['apojwt.decision.code'], 'ERR_PERMISSION_DENIED');
    assert.equal(denied['apojwt.decision.status'], 403);
    assert.ok(!JSON.stringify([allowed, denied]).includes('tenant-secret-5591'));
  });
});
