/**
 * The scenario `kubectl mtv sandbox` seeds when no --scenario is given. It shows the seed's problem on two
 * bandwidth-capped hosts: VMs of one large and nine small disks (a disk cap filled with small disks leaves the large
 * ones for last), single-disk VMs, and one VM with more disks than the cap (it can only start on an idle host). Their
 * configurations cover what a KubeVirt VM is built from: BIOS and EFI firmware, secure boot, a TPM, a Windows guest,
 * several sockets, and NICs on two networks (the seeded NetworkMap sends `VM Network` to the pod network and
 * `App Network` to a Multus network).
 */
import type { DiskSpec, Scenario, VmSpec } from '@kubectl-mtv/engine';

const Gi = 2 ** 30;
const Mi = 2 ** 20;

/** `count` disks of `size` bytes on `datastore`. */
function disks(count: number, size: number, datastore: string): DiskSpec[] {
  return Array.from({ length: count }, () => ({ size, datastore }));
}

/** `prefix-01` .. `prefix-NN`, each built by `make` from its 0-based index. */
function numbered(prefix: string, count: number, make: (index: number) => Omit<VmSpec, 'name'>): VmSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${String(i + 1).padStart(2, '0')}`, ...make(i) }));
}

const WEB_BUSES = ['scsi', 'sata', 'ide'] as const;
const APP_NETWORK = 'App Network';

/** app-01: EFI; app-02: EFI with secure boot; app-03: EFI with secure boot and a TPM; the others BIOS. */
function appFirmware(i: number): Pick<VmSpec, 'firmware' | 'secureBoot' | 'tpm'> {
  if (i === 0) return { firmware: 'efi' };
  if (i === 1) return { secureBoot: true };
  if (i === 2) return { secureBoot: true, tpm: true };
  return {};
}

export const DEFAULT_SANDBOX_SCENARIO: Scenario = {
  name: 'sandbox-default',
  migration: 'cold',
  maxInFlight: 20,
  diskRate: 100 * Mi,
  // esx-01 has a Ready Host CR, so MTV reads its VMs' disks from it directly; esx-02's failed its connection test, so
  // its VMs' disks come through vCenter (addresses from TEST-NET-1, RFC 5737)
  hosts: [
    { name: 'esx-01', bandwidth: 280 * Mi, ipAddress: '192.0.2.11', hostCr: 'ready' },
    { name: 'esx-02', bandwidth: 250 * Mi, ipAddress: '192.0.2.12', hostCr: 'not-ready' },
  ],
  vms: [
    // one 500Gi disk and nine 10Gi disks each; app-01..03 on esx-01 (ds-1), app-04..06 on esx-02 (ds-2)
    ...numbered('app', 6, (i) => {
      const datastore = i < 3 ? 'ds-1' : 'ds-2';
      return {
        host: i < 3 ? 'esx-01' : 'esx-02',
        // powered off at the source, asked to run once migrated: their VMs start (runStrategy Always)
        targetPowerState: 'on' as const,
        disks: [...disks(1, 500 * Gi, datastore), ...disks(9, 10 * Gi, datastore)],
        cpuCount: 4,
        coresPerSocket: 2,
        memoryMB: 8192,
        ...appFirmware(i),
      };
    }),
    // single-disk VMs, running, alternating between the hosts, on a SCSI, SATA or IDE controller
    ...numbered('web', 8, (i) => ({
      host: i % 2 === 0 ? 'esx-01' : 'esx-02',
      powerState: 'poweredOn',
      disks: disks(1, 40 * Gi, 'ds-1').map((disk) => ({ ...disk, bus: WEB_BUSES[i % WEB_BUSES.length] })),
      // a front NIC on the pod network and a back one on the Multus network; web-01 runs Windows Server 2019
      nics: [{ network: 'VM Network' }, { network: APP_NETWORK }],
      ...(i === 0 && { guestId: 'windows2019srv_64Guest' }),
    })),
    // 24 disks: more than maxInFlight, so it may start only when its host is idle (MTV-1573). Mixed buses and
    // controllers: the first ten disks added hang on SCSI controller 1, the next ten on controller 0, so MTV 2.10
    // (by device key) and 2.11+ (by controller, unit, key) number them differently; SATA and IDE disks come first.
    {
      name: 'archive-01',
      host: 'esx-02',
      disks: [
        ...disks(10, 20 * Gi, 'ds-2').map((disk) => ({ ...disk, controller: 1 })),
        ...disks(10, 20 * Gi, 'ds-2').map((disk) => ({ ...disk, controller: 0 })),
        ...disks(2, 20 * Gi, 'ds-2').map((disk) => ({ ...disk, bus: 'sata' as const })),
        ...disks(2, 20 * Gi, 'ds-2').map((disk) => ({ ...disk, bus: 'ide' as const })),
      ],
      nics: [{ network: APP_NETWORK }],
    },
  ],
};
