// The shared test kit the Nest tests use (fixtures, the frozen clock, HTTP
// helpers). One place to point at '@apojwt/conformance' once the kit
// exports them.
export { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf, headerOf } from '../adapters/harness/fixtures.js';
export { request, bearer, type Answer } from '../adapters/harness/http.js';
