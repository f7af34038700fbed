import * as fastifyAdapter from '@apojwt/fastify';
import * as fastifyAuth from '@apojwt/fastify/auth';
import { runAuthHandlersOverHttp, type HandlersAdapter } from '../auth/auth-handlers-http.js';
import { fastifyFramework } from './framework.js';

runAuthHandlersOverHttp(fastifyFramework(), { ...fastifyAdapter, ...fastifyAuth } as unknown as HandlersAdapter);
