// The shared account-routes scenario (packages/conformance) on Nest, both
// platforms: ApoJwtAccountsModule mounted as a Nest app mounts it, with the
// app's own answer for routes nobody serves (a Nest exception filter) and its
// body limit set where each platform takes it.
import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Catch, Module, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { ApoJwtAccountsModule } from '@apojwt/nest/accounts';
import { runAccountRoutesConformance, type AccountRoutesUnderTest } from '@apojwt/conformance';
import type { AccountEndpoints } from '@apojwt/postgres';
import { engines } from '../../postgres/engines.js';

/** How this app answers a route nobody serves: what the scenario checks the account routes leave alone. */
@Catch(NotFoundException)
class AppNotFound implements ExceptionFilter {
  catch(_error: NotFoundException, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<{ status?: (code: number) => { json: (body: unknown) => void }; code?: (code: number) => { send: (body: unknown) => void } }>();
    if (typeof reply.code === 'function') reply.code(404).send({ handledBy: 'app' });
    else reply.status!(404).json({ handledBy: 'app' });
  }
}

function appModule(endpoints: AccountEndpoints): unknown {
  @Module({ imports: [ApoJwtAccountsModule.forRoot({ accounts: endpoints.accounts, twoFactor: endpoints.twoFactor })] })
  class AccountsApp {}
  return AccountsApp;
}

async function listening(app: {
  useGlobalFilters(...filters: ExceptionFilter[]): unknown;
  listen(port: number, host: string): Promise<unknown>;
  getHttpServer(): unknown;
  close(): Promise<void>;
}) {
  app.useGlobalFilters(new AppNotFound());
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

const onExpress: AccountRoutesUnderTest = {
  name: 'Nest (platform-express)',
  async serve(endpoints, { bodyLimit }) {
    const app = await NestFactory.create<NestExpressApplication>(appModule(endpoints) as never, new ExpressAdapter(), { logger: false, abortOnError: false, bodyParser: false });
    app.useBodyParser('json', { limit: bodyLimit });
    return listening(app);
  },
};

const onFastify: AccountRoutesUnderTest = {
  name: 'Nest (platform-fastify)',
  async serve(endpoints, { bodyLimit }) {
    const app = await NestFactory.create(appModule(endpoints) as never, new FastifyAdapter({ bodyLimit }) as never, { logger: false, abortOnError: false });
    return listening(app as never);
  },
};

const databases = engines();
runAccountRoutesConformance(onExpress, databases);
runAccountRoutesConformance(onFastify, databases);
