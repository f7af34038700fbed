import { Inject, Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApoJwtConfigError } from '@apojwt/core';
import { APOJWT_MODULE_OPTIONS } from './tokens.js';
import type { ResolvedModuleOptions } from './options.js';

const SUPPORTED = ['express', 'fastify'];

/**
 * At start-up (app.init / app.listen), not at the first request: the app's
 * HTTP platform must be one the module reads requests of, and the one the
 * `platform` option names when given. An application context without HTTP
 * (a standalone microservice) has no adapter to check.
 */
@Injectable()
export class ApoJwtPlatformCheck implements OnModuleInit {
  constructor(
    @Inject(APOJWT_MODULE_OPTIONS) private readonly options: ResolvedModuleOptions,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const adapter = this.adapterHost?.httpAdapter;
    if (adapter === undefined || adapter === null) return;
    const type = adapter.getType();
    if (!SUPPORTED.includes(type)) {
      throw new ApoJwtConfigError(`@apojwt/nest supports @nestjs/platform-express and @nestjs/platform-fastify; this app runs on '${type}'`);
    }
    const expected = this.options.platform;
    if (expected !== undefined && expected !== type) {
      throw new ApoJwtConfigError(`ApoJwtModule was configured with platform '${expected}' but the app runs on '${type}'`);
    }
  }
}
