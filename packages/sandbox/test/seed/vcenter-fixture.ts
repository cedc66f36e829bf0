import type { SeedVcenter } from '../../src/seed/seed-objects.js';

/** A vCenter for the seed's pure builders, which never contact it (the sandbox passes its running one). */
export const TEST_VCENTER: SeedVcenter = {
  url: 'https://127.0.0.1:8989/sdk',
  caCert: '-----BEGIN CERTIFICATE-----\ndGVzdCB2Y2VudGVyIENB\n-----END CERTIFICATE-----\n',
  thumbprint: '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67',
  user: 'administrator@vsphere.local',
  password: 'test-password',
};
