// The template conformance suite (@apojwt/conformance) on Koa 3 and 2,
// TC39 and legacy decorators.
import { runTemplateConformance } from '@apojwt/conformance';
import { KOA_2, KOA_3 } from '../support/koa.js';

runTemplateConformance(KOA_3);
runTemplateConformance(KOA_2);
