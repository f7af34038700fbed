import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** The two HTTP platforms every Nest test runs on. */
export interface NestPlatform {
  readonly name: 'express' | 'fastify';
  adapter(): ExpressAdapter | FastifyAdapter;
}

export const PLATFORMS: readonly NestPlatform[] = [
  { name: 'express', adapter: () => new ExpressAdapter() },
  { name: 'fastify', adapter: () => new FastifyAdapter() },
];

export interface RunningNest {
  readonly app: INestApplication;
  readonly url: string;
  close(): Promise<void>;
}

/** A real Nest app on 127.0.0.1, port 0. abortOnError off: a failing start rejects instead of exiting. */
export async function startNest(module: unknown, platform: NestPlatform): Promise<RunningNest> {
  const app = await NestFactory.create(module as never, platform.adapter() as never, { logger: false, abortOnError: false });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return { app, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}
