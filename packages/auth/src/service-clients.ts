import { ApoJwtConfigError, type KeyInput } from '@apojwt/core';
import { isClientSecretHash } from './client-secret.js';
import type { MaybePromise } from './login.js';

/**
 * The services (OAuth 2.0 clients, RFC 6749 §2) the token endpoint issues
 * tokens to. A client authenticates with a secret, stored only as a hash
 * (`hashClientSecret`: a fast salted hash for a generated secret), or with a
 * JWT signed by its own private key (`private_key_jwt`, RFC 7523 §2.2),
 * for which the registry holds its public key.
 */
export interface ServiceClient {
  /** The client id; the subject (`sub`) of the tokens it receives. Keep ids apart from user ids (`svc:billing`). */
  readonly id: string;
  /** `hashClientSecret(secret)`; absent for a client that authenticates only with `publicKey`. */
  readonly secretHash?: string;
  /** The public key its client assertions are signed with (PEM, JWK or KeyObject), for `private_key_jwt`. */
  readonly publicKey?: KeyInput;
  /** The permissions it may receive; a token request's `scope` may ask for a subset (wildcards cover). */
  readonly permissions: readonly string[];
  /** Token exchange: the permissions it may pass on from a user it acts for (default none: it may not exchange). */
  readonly delegate?: readonly string[];
  /** Token exchange: the audiences it may ask tokens for. */
  readonly audiences?: readonly string[];
  /** A disabled client is refused as an unknown one is (`invalid_client`). */
  readonly disabled?: boolean;
}

/** Where clients are looked up; a database behind it is the app's. */
export interface ClientRegistry {
  get(id: string): MaybePromise<ServiceClient | null | undefined>;
}

/** A registry held in memory, every client checked now (not at its first request). */
export function memoryClientRegistry(clients: readonly ServiceClient[]): ClientRegistry {
  if (!Array.isArray(clients)) throw new ApoJwtConfigError('memoryClientRegistry takes an array of clients');
  const byId = new Map<string, ServiceClient>();
  for (const [index, client] of clients.entries()) {
    checkClient(client, `clients[${index}]`);
    if (byId.has(client.id)) throw new ApoJwtConfigError(`clients[${index}]: the client id is registered twice`);
    byId.set(client.id, Object.freeze({ ...client }));
  }
  return Object.freeze({ get: (id: string) => byId.get(id) });
}

export function checkClient(client: ServiceClient, label: string): void {
  if (client === null || typeof client !== 'object') throw new ApoJwtConfigError(`${label} must be an object`);
  if (typeof client.id !== 'string' || client.id.length === 0 || client.id.length > 256) throw new ApoJwtConfigError(`${label}.id must be a non-empty string`);
  if (client.secretHash === undefined && client.publicKey === undefined) throw new ApoJwtConfigError(`${label} needs a secretHash or a publicKey`);
  if (client.secretHash !== undefined && !isClientSecretHash(client.secretHash))
    throw new ApoJwtConfigError(`${label}.secretHash must be a hash from hashClientSecret, never the secret itself`);
  for (const field of ['permissions', 'delegate', 'audiences'] as const) {
    const list = client[field];
    if (list === undefined && field !== 'permissions') continue;
    if (!Array.isArray(list) || !list.every((entry) => typeof entry === 'string' && entry.length > 0 && !/\s/.test(entry))) {
      throw new ApoJwtConfigError(`${label}.${field} must be an array of non-empty strings without spaces`);
    }
  }
}
