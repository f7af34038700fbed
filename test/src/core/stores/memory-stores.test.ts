import { MemoryRevocationStore, MemoryRotationStore } from '@apojwt/core';
import { runStoreConformance } from '@apojwt/conformance';

runStoreConformance('MemoryRevocationStore + MemoryRotationStore', ({ maxEntries }) => ({
  revocationStore: new MemoryRevocationStore(maxEntries === undefined ? {} : { maxEntries }),
  rotationStore: new MemoryRotationStore(maxEntries === undefined ? {} : { maxEntries }),
}));
