import { Inject } from '@nestjs/common';

/** Injection token of the module's ApoJwt instance: `@InjectApoJwt() apo: ApoJwtInstance`. */
export const APOJWT = Symbol('apojwt.instance');

/** Injection token of the module's validated settings (guard, cookies, platform). */
export const APOJWT_MODULE_OPTIONS = Symbol('apojwt.module-options');

/** Injects the ApoJwt instance the module provides. */
export function InjectApoJwt(): PropertyDecorator & ParameterDecorator {
  return Inject(APOJWT);
}
