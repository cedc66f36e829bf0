/**
 * VirtualMachines written over HTTP meet the real CRD schema and KubeVirt's admission webhooks: a malformed VM is
 * refused by the schema, the mutating webhook fills in the machine type q35, architecture amd64 and a firmware
 * uuid/serial, the validating webhook refuses `running` with `runStrategy` (and neither) with KubeVirt's words, and
 * the real kubectl prints VMs with the CRD's columns.
 */
import { needs } from '@kubectl-mtv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { virtualMachine } from '../kubevirt/vm-fixture.js';
import { kubectl as kubectlTool, type Sandbox, startSandbox } from './sandbox-fixture.js';

const PATH = '/apis/kubevirt.io/v1/namespaces/demo/virtualmachines';
const MUTUALLY_EXCLUSIVE =
  'Running and RunStrategy are mutually exclusive. Note that Running is deprecated, please use RunStrategy instead';

let sandbox: Sandbox;
const post = (body: unknown) => sandbox.request('POST', PATH, { body: JSON.stringify(body) });

beforeAll(async () => {
  sandbox = await startSandbox();
  const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } };
  expect((await sandbox.request('POST', '/api/v1/namespaces', { body: JSON.stringify(ns) })).status).toBe(201);
});

afterAll(async () => {
  await sandbox?.stop();
});

describe("KubeVirt's VirtualMachine admission", () => {
  it('refuses a VM the CRD schema rejects (a template without its required domain), naming the field', async () => {
    const bad = virtualMachine('no-domain');
    (bad.spec as { template: { spec: Record<string, unknown> } }).template.spec = { volumes: [] };
    const response = await post(bad);
    expect(response.status).toBe(422);
    expect(response.json.reason).toBe('Invalid');
    expect(response.json.message).toContain('VirtualMachine.kubevirt.io "no-domain" is invalid');
    expect(response.json.details.causes).toContainEqual(
      expect.objectContaining({ field: 'spec.template.spec.domain', reason: 'FieldValueRequired' }),
    );
  });

  it('refuses a VM whose CPU cores are not an integer, as the schema types them', async () => {
    const bad = virtualMachine('bad-cpu');
    (bad.spec as { template: { spec: { domain: { cpu: unknown } } } }).template.spec.domain.cpu = { cores: 'two' };
    const response = await post(bad);
    expect(response.status).toBe(422);
    expect(response.json.message).toContain('spec.template.spec.domain.cpu.cores');
  });

  it('defaults the machine type to q35 and the architecture to amd64, and gives the firmware a uuid and serial', async () => {
    const response = await post(virtualMachine('defaults'));
    expect(response.status).toBe(201);
    const spec = response.json.spec.template.spec;
    expect(spec.domain.machine).toEqual({ type: 'q35' });
    expect(spec.architecture).toBe('amd64');
    expect(spec.domain.firmware.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(spec.domain.firmware.serial).toMatch(/^[0-9a-f-]{36}$/);
    const stored = await sandbox.request('GET', `${PATH}/defaults`);
    expect(stored.json.spec.template.spec.domain.machine).toEqual({ type: 'q35' });
  });

  it('keeps a machine type and a firmware serial that are given', async () => {
    const given = virtualMachine('given');
    const domain = (given.spec as { template: { spec: { domain: Record<string, unknown> } } }).template.spec.domain;
    domain.machine = { type: 'pc-q35-rhel9.6.0' };
    domain.firmware = { serial: 'VMware-42 2c 00 00', bootloader: { efi: { secureBoot: false } } };
    const response = await post(given);
    expect(response.status).toBe(201);
    expect(response.json.spec.template.spec.domain.machine).toEqual({ type: 'pc-q35-rhel9.6.0' });
    expect(response.json.spec.template.spec.domain.firmware.serial).toBe('VMware-42 2c 00 00');
  });

  it('refuses running together with runStrategy: 422 with KubeVirt message, on create and on update', async () => {
    const response = await post(virtualMachine('both', { running: false, runStrategy: 'Always' }));
    expect(response.status).toBe(422);
    expect(response.json).toMatchObject({
      reason: 'Invalid',
      code: 422,
      message: `admission webhook "virtualmachine-validator.kubevirt.io" denied the request: ${MUTUALLY_EXCLUSIVE}`,
      details: { causes: [{ reason: 'FieldValueInvalid', message: MUTUALLY_EXCLUSIVE, field: 'spec.running' }] },
    });
    expect((await sandbox.request('GET', `${PATH}/both`)).status).toBe(404);
    const patched = await sandbox.request('PATCH', `${PATH}/defaults`, {
      body: JSON.stringify({ spec: { running: true } }),
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(422);
    expect(patched.json.message).toContain(MUTUALLY_EXCLUSIVE);
  });

  it('refuses a VM with neither running nor runStrategy, and an unknown run strategy', async () => {
    const neither = await post(virtualMachine('neither', {}));
    expect(neither.status).toBe(422);
    expect(neither.json.message).toBe(
      'admission webhook "virtualmachine-validator.kubevirt.io" denied the request: RunStrategy must be specified',
    );
    const unknown = await post(virtualMachine('unknown', { runStrategy: 'Sometimes' }));
    expect(unknown.json.message).toContain('Invalid RunStrategy (Sometimes)');
  });

  it('accepts running alone (deprecated, still valid)', async () => {
    expect((await post(virtualMachine('running-only', { running: false }))).status).toBe(201);
  });

  it('refuses a disk without its volume and an interface without its network, in KubeVirt words', async () => {
    const bad = virtualMachine('unmatched');
    const spec = (bad.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    spec.volumes = [];
    (spec.domain as { devices: Record<string, unknown> }).devices.interfaces = [{ name: 'net-0', masquerade: {} }];
    const response = await post(bad);
    expect(response.status).toBe(422);
    expect(response.json.details.causes.map((cause: { message: string }) => cause.message)).toEqual([
      "spec.template.spec.domain.devices.disks[0].Name 'vol-0' not found.",
      "spec.template.spec.domain.devices.interfaces[0].name 'net-0' not found.",
    ]);
  });
});

describe('kubectl get vm', needs(kubectlTool), () => {
  it("prints the CRD's printer columns: NAME, AGE, STATUS, READY", async () => {
    const status = {
      printableStatus: 'Running',
      ready: true,
      conditions: [{ type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' }],
    };
    const patched = await sandbox.request('PATCH', `${PATH}/defaults/status`, {
      body: JSON.stringify({ status }),
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    const table = await sandbox.kubectl(['get', 'vm', '-n', 'demo']);
    expect(table.code).toBe(0);
    const [header, ...rows] = table.stdout.trim().split('\n');
    expect(header.split(/\s+/)).toEqual(['NAME', 'AGE', 'STATUS', 'READY']);
    const row = rows.find((line) => line.startsWith('defaults '));
    expect(row?.split(/\s+/)).toEqual(['defaults', expect.stringMatching(/^\d+s$/), 'Running', 'True']);
    const wide = await sandbox.kubectl(['get', 'virtualmachines.kubevirt.io', 'given', '-n', 'demo', '-o', 'name']);
    expect(wide.stdout).toBe('virtualmachine.kubevirt.io/given\n');
  });
});
