/**
 * @kubectl-mtv/test-support: what the tests, bench and chaos share and the product does not ship: the system tools
 * and the ../shared folder some tests need (skipped and said when missing), the real CRDs as an oracle, govmomi's
 * vCenter simulator, and the seeded random generator.
 */
export { seededRandom } from '@kubectl-mtv/engine';
export * from './crd-oracle.js';
export * from './requirements.js';
export * from './test-vcenter.js';
export * from './vcsim.js';
