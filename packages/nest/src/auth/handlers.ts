// The framework-free login / refresh / logout handlers this module
// translates. They live in core for now; this is the one line to point at
// their own package when they move.
export { createAuthHandlers, type AuthHandlers, type AuthHandlersOptions, type AuthRequest, type AuthResponse, type RefreshCookieOptions } from '@apojwt/core';
