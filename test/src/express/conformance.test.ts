// The template conformance suite (@apojwt/conformance) on Express 5 and 4,
// TC39 and legacy decorators.
import { runTemplateConformance } from '@apojwt/conformance';
import { EXPRESS_4, EXPRESS_5 } from '../support/express.js';

runTemplateConformance(EXPRESS_5);
runTemplateConformance(EXPRESS_4);
