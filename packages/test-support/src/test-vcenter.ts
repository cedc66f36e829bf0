/**
 * A vCenter SDK endpoint the vSphere adapter's test suite runs against (test/vsphere): govmomi's simulator and the
 * sandbox's own vCenter. Each server gives the same description, so one suite covers them all.
 */

/** A VM the server has, as the test suite finds it. */
export interface TestVCenterVm {
  name: string;
  moref: { type: string; value: string };
  /** config.uuid (the BIOS uuid). */
  uuid: string;
  /** config.instanceUuid. */
  instanceUuid: string;
  powerState: 'poweredOn' | 'poweredOff' | 'suspended';
}

/** A running vCenter SDK endpoint with pinned credentials. */
export interface TestVCenter {
  /** `https://127.0.0.1:PORT/sdk`. */
  url: string;
  /**
   * The CA (PEM) that verifies the server certificate: vcsim's self-signed certificate itself, or the CA that signs
   * the sandbox's (as a vCenter's VMCA signs its machine certificate). Neither is among the system roots.
   */
  ca: string;
  /** The server certificate's SHA-1 fingerprint, `AA:BB:…`. */
  thumbprint: string;
  /** The only user and password Login accepts. */
  user: string;
  password: string;
  vms: TestVCenterVm[];
  /** Stops the server (idempotent). */
  stop(): Promise<void>;
}
