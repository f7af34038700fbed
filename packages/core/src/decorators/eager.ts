/**
 * The key of `ApoJwt`'s guard-only `authorize` (answers synchronously when it
 * can). A symbol, not exported from the package: it is not public API.
 */
export const authorizeEagerly: unique symbol = Symbol('apojwt.authorizeEagerly');
