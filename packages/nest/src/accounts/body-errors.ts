import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { answerUnparsableBodies, answerUnparsableBodiesOnFastify } from '../body-errors.js';
import { ACCOUNT_ROUTES } from './controllers.js';
import type { AccountRouteMap } from './options.js';

/** The account routes that read a body answer one that is not JSON with core's 400 (see ../body-errors.ts). */
@Injectable()
export class AccountBodyErrors implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(ACCOUNT_ROUTES) private readonly routes: AccountRouteMap,
    @Optional() private readonly adapterHost?: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    answerUnparsableBodies(this.adapterHost, this.bodyPaths());
  }

  onApplicationBootstrap(): void {
    answerUnparsableBodiesOnFastify(this.adapterHost, this.bodyPaths());
  }

  private bodyPaths(): string[] {
    return [...this.routes.values()].filter((route) => route.readsBody && route.method === 'POST').map((route) => route.path);
  }
}
