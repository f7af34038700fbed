// The template conformance suite (@apojwt/conformance) on Fastify.
import { runTemplateConformance } from '@apojwt/conformance';
import { fastifyFramework } from '../support/fastify-framework.js';

runTemplateConformance(fastifyFramework());
