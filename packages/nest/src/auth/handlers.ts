// The framework-free login / refresh / logout handlers this module translates.
export { createAuthHandlers, type AuthHandlers, type AuthHandlersOptions, type AuthRequest } from '@apojwt/auth';
export type { AuthResponse, RefreshCookieOptions } from '@apojwt/core';
