import { Command, InvalidArgumentError, Option } from 'commander';
import { ALGORITHMS } from '@apojwt/core';
import { DEFAULT_SECRET_ENV } from '../key-input.js';

/** The issuer configuration `sign` and `verify` share; each can also come from the environment. */
export function addIssuerOptions(command: Command): Command {
  return command
    .addOption(new Option('--alg <alg>', 'algorithm').choices(ALGORITHMS).default('HS256').env('APOJWT_ALG'))
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

/** Repeatable options (`--perm a --perm b` or `--perm a,b`): not variadic, so a following argument is never swallowed. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim()).filter((v) => v.length > 0)];
}
