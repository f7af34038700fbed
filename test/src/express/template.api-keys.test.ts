// API keys through the Express template (its requestHeaders slot) on Express 5 and 4, over real HTTP.
import { runApiKeyConformance } from '@apojwt/conformance';
import { EXPRESS_4, EXPRESS_5 } from '../support/express.js';

runApiKeyConformance(EXPRESS_5);
runApiKeyConformance(EXPRESS_4);
