export { testClock, DEFAULT_TEST_START, type TestClock } from './clock.js';
export { testIssuer, type TestAlgorithm, type TestClaims, type TestIssuer, type TestIssuerOptions, type TestVerifierOptions } from './issuer.js';
export { serve, serveJwks, type RunningServer } from './serve.js';
export { fakeIncomingMessage, fakeServerResponse, type FakeAnswer, type FakeRequestInit } from './requests/message.js';
export { expressRequest, type FakeExpress } from './requests/express.js';
export { koaRequest, type FakeKoa, type FakeKoaContext } from './requests/koa.js';
export { fastifyRequest, type FakeFastify, type FakeFastifyReply, type FakeFastifyRequest } from './requests/fastify.js';
export { nestRequest, type FakeNest } from './requests/nest.js';
export { runDecisionTable, assertDecisions, type Decision, type DecisionResult } from './decision-table.js';
