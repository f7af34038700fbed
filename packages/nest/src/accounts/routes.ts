// The one route table of @apojwt/postgres: this subpath only translates it.
// @apojwt/postgres is an optional peer, loaded by '@apojwt/nest/accounts' alone.
export { listAccountRoutes, type AccountEndpoints, type AccountRoute, type AccountRouteInput } from '@apojwt/postgres';
