import { ApoJwtConfigError } from '../errors.js';
import type { InjectedValues } from '../template.js';

export type InjectKey = keyof InjectedValues;
export type ParamMarks = ReadonlyMap<number, InjectKey>;

/** A legacy (`experimentalDecorators`) parameter decorator. */
export type ParameterMarker = (target: object, propertyKey: string | symbol | undefined, index: number) => void;

// target (prototype or constructor) → method name → parameter index → value.
// Kept here rather than in reflect-metadata: it works whether or not the app
// loads reflect-metadata or turns on emitDecoratorMetadata.
const marksByTarget = new WeakMap<object, Map<string | symbol, Map<number, InjectKey>>>();

function marker(key: InjectKey, label: string): () => ParameterMarker {
  return () => (target, propertyKey, index) => {
    if (typeof index !== 'number' || propertyKey === undefined || target === null || (typeof target !== 'object' && typeof target !== 'function')) {
      // TC39 decorators have no parameter decorators; constructors are not handlers.
      throw new ApoJwtConfigError(`@${label}() marks a method parameter and needs experimentalDecorators`);
    }
    let byMethod = marksByTarget.get(target);
    if (byMethod === undefined) marksByTarget.set(target, (byMethod = new Map()));
    let marks = byMethod.get(propertyKey);
    if (marks === undefined) byMethod.set(propertyKey, (marks = new Map()));
    marks.set(index, key);
  };
}

/** The access token's `data`. */
export const TokenData = marker('tokenData', 'TokenData');
/** The access token's `sub`. */
export const TokenSubject = marker('tokenSubject', 'TokenSubject');
/** The access token's `perms`. */
export const TokenPermissions = marker('tokenPermissions', 'TokenPermissions');
/** Every verified claim of the access token. */
export const TokenClaims = marker('tokenClaims', 'TokenClaims');
/** The refresh token's `data` (in a `@refresh()` handler). */
export const RefreshData = marker('refreshData', 'RefreshData');

export function marksFor(target: object, propertyKey: string | symbol): ParamMarks | undefined {
  return marksByTarget.get(target)?.get(propertyKey);
}

/**
 * Marked positions get the injected values; the framework's own arguments
 * fill the unmarked positions in order, so `(@TokenSubject() sub, req, res)`
 * is called with (sub, req, res, next).
 */
export function injectArguments(args: readonly unknown[], marks: ParamMarks, values: InjectedValues): unknown[] {
  let last = -1;
  for (const index of marks.keys()) if (index > last) last = index;
  const total = Math.max(args.length + marks.size, last + 1);
  const out: unknown[] = new Array(total);
  let next = 0;
  for (let i = 0; i < total; i++) {
    const key = marks.get(i);
    out[i] = key === undefined ? args[next++] : values[key];
  }
  return out;
}

/**
 * Injection for a method the framework called with its own parameters
 * (Nest, routing-controllers): each position already holds what the
 * framework put there, and marked positions get the verified values.
 */
export function injectInPlace(args: readonly unknown[], marks: ParamMarks, values: InjectedValues): unknown[] {
  let last = args.length - 1;
  for (const index of marks.keys()) if (index > last) last = index;
  const out = Array.from({ length: last + 1 }, (_, i) => args[i]);
  for (const [index, key] of marks) out[index] = values[key];
  return out;
}
