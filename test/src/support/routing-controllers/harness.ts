// The shared HTTP helpers and fixtures these suites use, from the conformance kit.
export { request, bearer, type Answer, BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf } from '@apojwt/conformance';
