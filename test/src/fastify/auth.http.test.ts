// authHandlers (packages/fastify/src/auth.ts) over real HTTP: the shared auth endpoint suite.
import * as fastifyAdapter from '@apojwt/fastify';
import * as fastifyAuth from '@apojwt/fastify/auth';
import { runAuthHandlersOverHttp, type HandlersAdapter } from '../support/auth-handlers-http.js';
import { fastifyFramework } from '../support/fastify-framework.js';

runAuthHandlersOverHttp(fastifyFramework(), { ...fastifyAdapter, ...fastifyAuth } as unknown as HandlersAdapter);
