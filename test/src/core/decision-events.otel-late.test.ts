// With @opentelemetry/api installed but no context manager registered, no
// span can be active and the guard does not ask the API for one on each
// request. A context manager registered later (an SDK started after the app
// made its instance) is seen from the next request on: decisions then
// annotate the active span. A file of its own: the registration is global.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApoJwt } from '@apojwt/core';
import { expressTemplate } from '@apojwt/express';
import { expressRequest } from '@apojwt/testing';
import { AUD, ISS, SECRET } from '../support/core.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
after(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
});

test('a context manager registered after the instance and its first requests: later decisions annotate the active span', async () => {
  const apo = new ApoJwt({ secret: SECRET, iss: ISS, serverAudience: AUD, template: expressTemplate() });
  const token = apo.createToken({ sub: 'user-7', permissions: ['orders:read'] }) as string;
  const guard = apo.permissionRequired('orders:read');
  const headers = { authorization: `Bearer ${token}` };

  // Nothing registered yet: requests pass, and there is no span to annotate.
  for (let i = 0; i < 3; i++) {
    const call = expressRequest({ headers });
    await guard(...call.args);
    assert.deepEqual(call.nextCalls, [[]]);
  }
  assert.equal(trace.getActiveSpan(), undefined);

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  await trace.getTracer('apojwt-test').startActiveSpan('GET /orders', async (span) => {
    const call = expressRequest({ headers });
    await guard(...call.args);
    span.end();
  });
  const [annotated] = exporter.getFinishedSpans();
  assert.equal(annotated?.attributes['apojwt.decision.outcome'], 'allow');
  assert.equal(annotated?.attributes['enduser.id'], 'user-7');
});
