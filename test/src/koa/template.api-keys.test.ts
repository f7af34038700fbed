// API keys through the Koa template (its requestHeaders slot) on Koa 3 and 2, over real HTTP.
import { runApiKeyConformance } from '@apojwt/conformance';
import { KOA_2, KOA_3 } from '../support/koa.js';

runApiKeyConformance(KOA_3);
runApiKeyConformance(KOA_2);
