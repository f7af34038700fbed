import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answerUnparsableBodies, answerUnparsableBodiesOnFastify } from '../body-errors.js';

/** Where the auth module's login is mounted (provided only when it mounts one). */
export const AUTH_LOGIN_PATH = Symbol('apojwt auth login path');

/** POST {path}/login answers a body that is not JSON with core's 400 (too large: 413), never JSON.parse's message quoting the password (see ../body-errors.ts). */
@Injectable()
export class AuthBodyErrors implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(AUTH_LOGIN_PATH) private readonly loginPath: string,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    answerUnparsableBodies(this.adapterHost, [this.loginPath]);
  }

  onApplicationBootstrap(): void {
    answerUnparsableBodiesOnFastify(this.adapterHost, [this.loginPath]);
  }
}
