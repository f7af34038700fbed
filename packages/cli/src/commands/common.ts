import { Command, InvalidArgumentError, Option } from 'commander';
import { ALGORITHMS, isAlgorithm, type Algorithm } from '@apojwt/core';
import { DEFAULT_SECRET_ENV } from '../key-input.js';

/** The issuer configuration `sign` and `verify` share; each can also come from the environment. */
export function addIssuerOptions(command: Command): Command {
  return command
    .addOption(new Option('--alg <alg>', 'algorithm').choices(ALGORITHMS).argParser(algorithm).default('HS256').env('APOJWT_ALG'))
    .addOption(new Option('--iss <issuer>', 'issuer (iss)').env('APOJWT_ISS').makeOptionMandatory())
    .addOption(new Option('--aud <audience>', 'audience (aud); repeat or comma-separate for several').argParser(collect).env('APOJWT_AUD').makeOptionMandatory())
    .option('--secret-file <path>', 'HS secret: a file holding the secret text or an oct JWK')
    .option('--secret-env <name>', `HS secret: the environment variable holding it`, DEFAULT_SECRET_ENV)
    .option('--key-file <path>', 'RS/PS/ES: a PEM or JWK key file');
}

export function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

/** `--aud a b` gives an array; APOJWT_AUD gives one string, comma-separated. */
export function audienceList(value: string | string[]): string[] {
  return (Array.isArray(value) ? value : value.split(',')).map((a) => a.trim()).filter((a) => a.length > 0);
}

/** Repeatable options (`--aud a --aud b` or `--aud a,b`): not variadic, so a following argument is never swallowed. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0),
  ];
}

// Option parsers. Their messages name the option and what it takes, never the
// value given: a value may be a secret pasted in the wrong place (see usage-errors.ts).

/** `--alg`: one of ALGORITHMS (`none` is never one). */
export function algorithm(value: string): Algorithm {
  if (isAlgorithm(value)) return value;
  if (value.toLowerCase() === 'none') throw new InvalidArgumentError('--alg none is never accepted: tokens are always signed');
  throw new InvalidArgumentError(`--alg must be one of ${ALGORITHMS.join(', ')}`);
}

/** An option that takes one of a few words (`choices` would quote the value in its message). */
export function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (value: string): T => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}`);
  };
}

/** A value that must not be empty (`--kid ''` would name no key). */
export function nonEmpty(name: string) {
  return (value: string): string => {
    if (value.length === 0) throw new InvalidArgumentError(`${name} must not be empty`);
    return value;
  };
}

/** `--perm a --perm b,c`: every name non-empty, so `--perm ''` never silently grants nothing. */
export function permissionList(value: string, previous: string[] | undefined): string[] {
  const names = value.split(',').map((v) => v.trim());
  if (names.some((name) => name.length === 0)) throw new InvalidArgumentError('--perm takes non-empty permission names (comma-separated)');
  return [...(previous ?? []), ...names];
}
