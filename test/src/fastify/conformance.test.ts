import { runTemplateConformance } from '@apojwt/conformance';
import { fastifyFramework } from './framework.js';

runTemplateConformance(fastifyFramework());
