// API keys through the Fastify template (its requestHeaders slot), over real HTTP.
import { runApiKeyConformance } from '@apojwt/conformance';
import { fastifyFramework } from '../support/fastify-framework.js';

runApiKeyConformance(fastifyFramework());
