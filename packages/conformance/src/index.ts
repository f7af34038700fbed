// The conformance kits: one suite per contract, run by the tests of every
// implementation (templates: every framework adapter; stores: memory, Redis).
export { runStoreConformance, type StoresUnderTest, type StoreFactoryOptions, type StoreConformanceOptions } from './store-conformance.js';
