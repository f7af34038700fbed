import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Body, Controller, Get, Module, Post, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { ApoJwtModule, PermissionRequired, TokenSubject } from '@apojwt/nest';
import { ISSUER, SHIPPING_AUDIENCE } from '../config.js';
import type { StartVerifier } from '../deploy/deployment.js';
import { jwksUriOf, type VerifierOptions } from './verifier-options.js';

/**
 * The shipping service (NestJS on Express), written as a Nest app is: a module
 * importing `ApoJwtModule.forRoot`, whose global guard reads the metadata
 * decorators, and parameter decorators for the verified values. Like the
 * others it holds no key: it verifies through the auth service's JWKS.
 *
 * Compiled by tsconfig.nest.json (legacy decorators, as Nest requires) and
 * loaded at run time by deploy/verifiers.ts.
 */
@Controller('shipments')
class ShipmentsController {
  private readonly shipments = [{ id: 'shp-1', order: 1, carrier: 'post' }];

  @Get()
  @PermissionRequired('shipping:read')
  list(@TokenSubject() user: string) {
    return { service: 'shipping', user, shipments: this.shipments };
  }

  // The global guard refuses before the handler (and its pipes) run: nothing is created without shipping:write.
  @Post()
  @PermissionRequired('shipping:write')
  create(@Body() body: { order?: unknown }) {
    const shipment = { id: `shp-${this.shipments.length + 1}`, order: Number(body.order), carrier: 'post' };
    this.shipments.push(shipment);
    return shipment;
  }
}

@Module({})
class ShippingModule {
  static forRoot(options: VerifierOptions): DynamicModule {
    return {
      module: ShippingModule,
      imports: [
        ApoJwtModule.forRoot({
          algorithm: 'ES256',
          jwksUri: jwksUriOf(options),
          iss: ISSUER,
          serverAudience: SHIPPING_AUDIENCE,
          now: options.now,
          revocationStore: options.revocationStore,
        }),
      ],
      controllers: [ShipmentsController],
    };
  }
}

export const startShippingService: StartVerifier = async (options) => {
  // No Nest start-up log in the demo's output; a failing start rejects (abortOnError: false) instead of exiting.
  const app = await NestFactory.create(ShippingModule.forRoot(options), new ExpressAdapter(), { logger: false, abortOnError: false, forceCloseConnections: true });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
};
