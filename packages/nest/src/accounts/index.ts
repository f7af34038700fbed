// The account routes of @apojwt/postgres as their own entry, so that
// '@apojwt/nest' itself never loads @apojwt/postgres.
export { ApoJwtAccountsModule } from './module.js';
export { ApoJwtAccountsController, ApoJwtTwoFactorLoginController } from './controllers.js';
export type { ApoJwtAccountsModuleOptions, ApoJwtAccountsModuleAsyncOptions } from './options.js';
