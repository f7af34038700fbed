// The `@apojwt/conformance/legacy` entry: the template suite's controllers
// compiled with experimentalDecorators + emitDecoratorMetadata
// (tsconfig.legacy.json → dist-legacy/), plus the parameter-injection
// controllers that only that mode allows. Pass it as
// `controllers: { legacy: legacyControllers }` to runTemplateConformance.
export { OrdersController, ClassGuardedController, SessionController, boundController, ran, view } from '../controllers/index.js';
export { InjectedController, InjectedClassController } from './injected.js';
