/**
 * A decorator that replaces a method must not lose what other decorators
 * recorded on it. Nest (`@Get`, `@UseGuards`, `@HttpCode`), and any library
 * using reflect-metadata, store their intent as metadata on the method
 * function itself (`descriptor.value`); a decorator written above apojwt's
 * then reads the wrapper, one written below has already written on the
 * original. Copying everything over makes the order of decorators irrelevant.
 */

interface ReflectMetadata {
  getOwnMetadataKeys(target: object): unknown[];
  getOwnMetadata(key: unknown, target: object): unknown;
  defineMetadata(key: unknown, value: unknown, target: object): void;
}

// Properties every function has of its own: the wrapper keeps its own.
const OWN_FUNCTION_PROPERTIES = new Set<string | symbol>(['prototype', 'arguments', 'caller']);

export function carryOver(from: (...args: never[]) => unknown, to: (...args: never[]) => unknown): void {
  for (const key of Reflect.ownKeys(from)) {
    if (OWN_FUNCTION_PROPERTIES.has(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    // name and length are non-writable but configurable on every function: redefined, not assigned.
    if (descriptor !== undefined) Object.defineProperty(to, key, descriptor);
  }
  const reflect = Reflect as unknown as Partial<ReflectMetadata>;
  // Only when the app loaded reflect-metadata (core never does: it has no such dependency).
  if (typeof reflect.getOwnMetadataKeys !== 'function' || typeof reflect.getOwnMetadata !== 'function' || typeof reflect.defineMetadata !== 'function') return;
  for (const key of reflect.getOwnMetadataKeys(from)) reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
}
