// authHandlers and jwksHandler (packages/express/src/auth.ts, handlers.ts) over real HTTP on Express 5 and 4.
import * as expressAdapter from '@apojwt/express';
import * as expressAuth from '@apojwt/express/auth';
import { runAuthHandlersOverHttp, type HandlersAdapter } from '../support/auth-handlers-http.js';
import { EXPRESS_4, EXPRESS_5 } from '../support/express.js';

const adapter = { ...expressAdapter, ...expressAuth } as unknown as HandlersAdapter;
runAuthHandlersOverHttp(EXPRESS_5, adapter);
runAuthHandlersOverHttp(EXPRESS_4, adapter);
