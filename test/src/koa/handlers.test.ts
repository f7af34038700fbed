// authHandlers and jwksHandler (packages/koa/src/auth.ts, handlers.ts) over real HTTP on Koa 3 and 2.
import * as koaAdapter from '@apojwt/koa';
import * as koaAuth from '@apojwt/koa/auth';
import { runAuthHandlersOverHttp, type HandlersAdapter } from '../support/auth-handlers-http.js';
import { KOA_2, KOA_3 } from '../support/koa.js';

const adapter = { ...koaAdapter, ...koaAuth } as unknown as HandlersAdapter;
runAuthHandlersOverHttp(KOA_3, adapter);
runAuthHandlersOverHttp(KOA_2, adapter);
