import { runTemplateConformance } from '@apojwt/conformance';
import { fastifyFramework } from '../support/fastify-framework.js';

runTemplateConformance(fastifyFramework());
