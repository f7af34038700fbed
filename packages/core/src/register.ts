/**
 * Applications describe their own permission names and payload shapes once,
 * by declaration merging, and every API below picks them up:
 *
 *   declare module '@apojwt/core' {
 *     interface Register {
 *       permission: 'orders:read' | 'orders:write' | 'admin';
 *       role: 'clerk' | 'manager';
 *       data: { tenant: string };
 *       refreshData: { userId: string };
 *     }
 *   }
 *
 * Left empty, names are plain strings and payloads plain objects.
 */
// Empty on purpose: it is the declaration-merging point applications fill in
// (as lucia's `Register`); a type alias could not be merged into.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

export type JsonObject = { [key: string]: unknown };

export type RegisteredPermission = Register extends { permission: infer P extends string } ? P : string;
export type RegisteredRole = Register extends { role: infer Ro extends string } ? Ro : string;
export type RegisteredData = Register extends { data: infer D extends object } ? D : JsonObject;
export type RegisteredRefreshData = Register extends { refreshData: infer R extends object } ? R : JsonObject;
