// NestJS on both platforms against the kit's controller contract (packages/conformance/src/controller-conformance.ts).
import 'reflect-metadata';
import { runControllerConformance } from '@apojwt/conformance';
import { nestControllerApp } from '../support/nest/app.js';
import { PLATFORMS } from '../support/nest/harness.js';

for (const platform of PLATFORMS) runControllerConformance(nestControllerApp(platform));
