import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo, Server } from 'node:net';
import { firstValueFrom } from 'rxjs';
import { Controller, Module, type INestMicroservice, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ClientProxyFactory, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { ApoJwtModule, PermissionRequired, Public } from '@apojwt/nest';
import { BASE } from '../support/nest/kit.js';

/**
 * The guard checks HTTP requests only. Called for another context (here a
 * real TCP microservice), a handler that needs a check is refused with a
 * clear error instead of crashing or running unchecked; handlers without
 * apojwt metadata keep working (unless requireDecision).
 */

const ran: string[] = [];
/** What Nest logged as errors: the refusal's reason is for the server's log. */
const logged: string[] = [];
const logger: LoggerService = {
  log() {},
  warn() {},
  error(...parts: unknown[]) {
    logged.push(parts.map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : String(part))).join(' '));
  },
};

@Controller()
class RpcController {
  @MessagePattern('orders.read')
  @PermissionRequired('orders:read')
  read() {
    ran.push('read');
    return { orders: [] };
  }

  @MessagePattern('open')
  @Public()
  open() {
    ran.push('open');
    return { open: true };
  }

  @MessagePattern('ping')
  ping() {
    ran.push('ping');
    return 'pong';
  }
}

async function microservice(requireDecision: boolean): Promise<{ service: INestMicroservice; client: ClientProxy }> {
  @Module({ imports: [ApoJwtModule.forRoot({ ...BASE, requireDecision })], controllers: [RpcController] })
  class RpcApp {}
  const service = await NestFactory.createMicroservice(RpcApp, { transport: Transport.TCP, options: { host: '127.0.0.1', port: 0 }, logger, abortOnError: false });
  await service.listen();
  const { port } = service.unwrap<Server>().address() as AddressInfo;
  const client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  await client.connect();
  return { service, client };
}

describe('ApoJwtGuard for a non-HTTP context (a TCP microservice)', () => {
  let plain: { service: INestMicroservice; client: ClientProxy };
  let strict: { service: INestMicroservice; client: ClientProxy };
  before(async () => {
    plain = await microservice(false);
    strict = await microservice(true);
  });
  after(async () => {
    for (const { service, client } of [plain, strict]) {
      await client.close();
      await service.close();
    }
  });

  test('a handler that needs a check is refused with an error, never run; the service keeps serving', async () => {
    ran.length = 0;
    await assert.rejects(firstValueFrom(plain.client.send('orders.read', {})), (error: unknown) => {
      assert.equal((error as { status?: unknown }).status, 'error');
      return true;
    });
    assert.deepEqual(ran, []);
    assert.ok(
      logged.some((line) => /RpcController\.read\(\) is called for a 'rpc' context: @apojwt\/nest checks HTTP requests only/.test(line)),
      `the log names the handler and the reason: ${logged.join(' | ')}`,
    );
    assert.equal(await firstValueFrom(plain.client.send('ping', {})), 'pong');
    assert.deepEqual(await firstValueFrom(plain.client.send('open', {})), { open: true });
    assert.deepEqual(ran, ['ping', 'open']);
  });

  test('with requireDecision, a handler without a decision is refused too; @Public() still runs', async () => {
    ran.length = 0;
    await assert.rejects(firstValueFrom(strict.client.send('ping', {})));
    assert.deepEqual(await firstValueFrom(strict.client.send('open', {})), { open: true });
    assert.deepEqual(ran, ['open']);
  });
});
