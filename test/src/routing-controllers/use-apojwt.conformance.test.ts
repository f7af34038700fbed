// routing-controllers on every driver set-up against the kit's controller contract (packages/conformance/src/controller-conformance.ts).
import 'reflect-metadata';
import { runControllerConformance } from '@apojwt/conformance';
import { DRIVERS, routingControllersUnderTest } from '../support/routing-controllers/app.js';

for (const driver of DRIVERS) runControllerConformance(routingControllersUnderTest(driver));
