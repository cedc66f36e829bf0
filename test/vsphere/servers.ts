/**
 * The vCenter servers the adapter's suite runs against, one entry each: the suite is the same for all, so a server
 * that answers like vCenter passes it and one that does not fails it. A new server (the sandbox's vCenter) is one
 * more entry with its requirement.
 */
import { govmomiSimulator, type Requirement, startVcsim, type TestVCenter } from '@kubectl-mtv/test-support';

export interface VCenterServerEntry {
  /** How the suite's titles name it. */
  name: string;
  /** What this machine needs to run it (the suite is skipped with the hint without it). */
  requirements: Requirement[];
  /** Starts a fresh server with its own inventory. */
  start(): Promise<TestVCenter>;
}

export const VCENTER_SERVERS: VCenterServerEntry[] = [
  { name: 'govmomi simulator (vcsim 0.24.2)', requirements: [govmomiSimulator()], start: startVcsim },
];
