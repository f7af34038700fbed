// The credentials side (login, refresh rotation, JWKS) as its own entry, so
// that '@apojwt/nest' itself never loads it.
export { ApoJwtAuthModule } from './module.js';
export type { ApoJwtAuthModuleOptions } from './options.js';
