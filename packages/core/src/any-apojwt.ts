import type { ApoJwt } from './apojwt.js';

/**
 * Any instance, whatever its permission names, payloads and refresh setting:
 * for APIs that take the instance the app made (the auth endpoints, the Nest
 * module). ApoJwt is invariant in its type parameters (they are both taken,
 * by `createToken`, and returned, by `verify`), so no concrete instantiation,
 * not even `ApoJwt<string, object, object, boolean>`, accepts every
 * instance; the erasure is written once, here.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyApoJwt = ApoJwt<any, any, any, boolean>;
