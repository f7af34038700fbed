// The shared test kit the Nest tests use (fixtures, the frozen clock, HTTP helpers).
export { BASE, REFRESH, REFRESH_SECRET, SECRET, T0, clock, invalidTokens, payloadOf, headerOf, request, bearer, type Answer } from '@apojwt/conformance';
