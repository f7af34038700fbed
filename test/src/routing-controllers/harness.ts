// The shared HTTP helpers and fixtures these suites use, in one place: when
// the conformance kit package holds them, this file re-exports from there.
export { request, bearer, type Answer } from '../adapters/harness/http.js';
export { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from '../adapters/harness/fixtures.js';
