import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Controller, Get, Module, NotFoundException } from '@nestjs/common';
import { ApoJwtError } from '@apojwt/core';
import { ApoJwtModule } from '@apojwt/nest';
import { PLATFORMS, startNest, type RunningNest } from '../support/nest/harness.js';
import { request } from '../support/nest/kit.js';
import { BASE } from '../support/nest/kit.js';

/** ApoJwtExceptionFilter: every ApoJwtError answered as the other adapters do; every other exception left to Nest. */

@Controller('errors')
class ThrowingController {
  @Get('rate-limited')
  rateLimited(): never {
    throw new ApoJwtError('ERR_RATE_LIMITED', 'too many attempts', { retryAfterSeconds: 7.2 });
  }

  @Get('unavailable')
  unavailable(): never {
    throw new ApoJwtError('ERR_STORE_UNAVAILABLE', 'the revocation store cannot answer');
  }

  @Get('expired')
  expired(): never {
    throw new ApoJwtError('ERR_TOKEN_EXPIRED', 'the token has expired');
  }

  @Get('not-found')
  notFound(): never {
    throw new NotFoundException('no such order');
  }

  @Get('plain')
  plain(): never {
    throw new Error('a secret detail of the handler');
  }
}

@Module({ imports: [ApoJwtModule.forRoot({ ...BASE, realm: 'orders' })], controllers: [ThrowingController] })
class FilterApp {}

for (const platform of PLATFORMS) {
  describe(`ApoJwtExceptionFilter on @nestjs/platform-${platform.name}`, () => {
    let server: RunningNest;
    before(async () => {
      server = await startNest(FilterApp, platform);
    });
    after(() => server.close());

    test('429 with Retry-After (rounded up), JSON { error, message }', async () => {
      const answer = await request(server.url, '/errors/rate-limited');
      assert.equal(answer.status, 429);
      assert.equal(answer.headers['retry-after'], '8');
      assert.match(String(answer.headers['content-type']), /^application\/json/);
      // The body carries the fixed sentence of the code, not the thrown error's own message.
      assert.deepEqual(answer.json, { error: 'ERR_RATE_LIMITED', message: 'too many attempts; try again later' });
    });

    test('503 without a challenge; 401 invalid_token with the realm', async () => {
      const unavailable = await request(server.url, '/errors/unavailable');
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.headers['www-authenticate'], undefined);
      assert.equal(unavailable.json['error'], 'ERR_STORE_UNAVAILABLE');
      const expired = await request(server.url, '/errors/expired');
      assert.equal(expired.status, 401);
      assert.equal(expired.headers['www-authenticate'], 'Bearer realm="orders", error="invalid_token", error_description="the token has expired"');
    });

    test("other exceptions are Nest's: an HttpException keeps its answer, an Error is a bare 500", async () => {
      const notFound = await request(server.url, '/errors/not-found');
      assert.equal(notFound.status, 404);
      assert.equal(notFound.json['message'], 'no such order');
      assert.equal(notFound.json['statusCode'], 404);
      const plain = await request(server.url, '/errors/plain');
      assert.equal(plain.status, 500);
      assert.ok(!plain.text.includes('secret detail'));
      assert.equal(plain.json['statusCode'], 500);
    });
  });
}
