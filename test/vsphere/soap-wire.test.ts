/**
 * The pure parts of the vSphere adapter, without a server: the envelope it sends, the faults and task infos it reads
 * (in the shapes govmomi's simulator and vCenter answer with), Forklift's trimBackingFileName, and the thumbprint rule.
 */
import { describe, expect, it } from 'vitest';
import { trimBackingFileName } from '../../src/vsphere/backing-file.js';
import { child, children, childText, parseSoapBody, soapEnvelope, xsiType } from '../../src/vsphere/soap-envelope.js';
import { faultOf, faultType, vsphereFault } from '../../src/vsphere/soap-fault.js';
import { parseTaskInfo } from '../../src/vsphere/task-info.js';
import { judgeCertificate, normalizeThumbprint } from '../../src/vsphere/tls-trust.js';
import { VSphereFault } from '../../src/vsphere/types.js';

const ENVELOPE = (body: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe('the request envelope', () => {
  it('puts _this first and the arguments in the order given, MoRefs as type attributes', () => {
    const xml = soapEnvelope(
      'CreateSnapshot_Task',
      { type: 'VirtualMachine', value: 'vm-42' },
      {
        name: 'forklift-migration-precopy',
        description: 'd',
        memory: false,
        quiesce: true,
      },
    );
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><CreateSnapshot_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this><name>forklift-migration-precopy</name><description>d</description><memory>false</memory><quiesce>true</quiesce></CreateSnapshot_Task></soapenv:Body></soapenv:Envelope>',
    );
  });

  it('repeats an array argument, leaves undefined ones out and escapes text', () => {
    const xml = soapEnvelope(
      'RetrievePropertiesEx',
      { type: 'PropertyCollector', value: 'propertyCollector' },
      {
        specSet: {
          propSet: { type: 'VirtualMachine', all: false, pathSet: ['a', 'b'] },
          objectSet: { obj: { type: 'VirtualMachine', value: 'vm-1' }, skip: false },
        },
        options: {},
        absent: undefined,
      },
    );
    expect(xml).toContain('<pathSet>a</pathSet><pathSet>b</pathSet>');
    expect(xml).toContain('<objectSet><obj type="VirtualMachine">vm-1</obj><skip>false</skip></objectSet>');
    expect(xml).not.toContain('absent');
    const escaped = soapEnvelope(
      'Login',
      { type: 'SessionManager', value: 'SessionManager' },
      { password: 'a<b&c>"d' },
    );
    expect(escaped).toContain('<password>a&lt;b&amp;c&gt;&quot;d</password>');
    expect(childText(child(parseSoapBody(escaped), 'Login'), 'password')).toBe('a<b&c>"d');
  });
});

describe('reading answers', () => {
  it('reads the xsi:type under whatever prefix the server bound (vcsim: XMLSchema-instance)', () => {
    const body = parseSoapBody(
      ENVELOPE(
        '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Task">task-68</obj><propSet><name>info</name><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="TaskInfo"><key>task-68</key><task type="Task">task-68</task><name>CreateSnapshot</name><descriptionId>VirtualMachine.createSnapshot</descriptionId><state>success</state><result XMLSchema-instance:type="ManagedObjectReference" type="VirtualMachineSnapshot">snapshot-69</result></val></propSet></objects></returnval></RetrievePropertiesExResponse>',
      ),
    );
    const val = child(
      child(child(child(child(body, 'RetrievePropertiesExResponse'), 'returnval'), 'objects'), 'propSet'),
      'val',
    );
    expect(xsiType(val)).toBe('TaskInfo');
    expect(parseTaskInfo({ type: 'Task', value: 'task-68' }, val ?? {})).toEqual({
      task: { type: 'Task', value: 'task-68' },
      state: 'success',
      name: 'CreateSnapshot',
      descriptionId: 'VirtualMachine.createSnapshot',
      result: { type: 'VirtualMachineSnapshot', value: 'snapshot-69' },
    });
  });

  it('reads xsi:type by namespace: bound on an ancestor, under any prefix; never a prefix bound elsewhere or unbound', () => {
    const body = parseSoapBody(
      ENVELOPE(
        '<X xmlns="urn:vim25"><val xsi:type="TaskInfo"><result xsi:type="ManagedObjectReference" type="VirtualMachineSnapshot">snapshot-1</result></val><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" XMLSchema-instance:type="ArrayOfVirtualDevice"><VirtualDevice XMLSchema-instance:type="VirtualDisk"><backing XMLSchema-instance:type="VirtualDiskFlatVer2BackingInfo"/></VirtualDevice></val><val xmlns:vim="urn:vim25" vim:type="TaskInfo"/><val other:type="TaskInfo"/><val xmlns:xsi="urn:not-xsi" xsi:type="TaskInfo"/></X>',
      ),
    );
    const [real, vcsim, foreign, unbound, rebound] = children(child(body, 'X'), 'val');
    // a real vCenter: the envelope's xsi prefix
    expect(xsiType(real)).toBe('TaskInfo');
    expect(xsiType(child(real, 'result'))).toBe('ManagedObjectReference');
    // vcsim: XMLSchema-instance bound on the value, used again below it
    expect(xsiType(vcsim)).toBe('ArrayOfVirtualDevice');
    const disk = child(vcsim, 'VirtualDevice');
    expect(xsiType(disk)).toBe('VirtualDisk');
    expect(xsiType(child(disk, 'backing'))).toBe('VirtualDiskFlatVer2BackingInfo');
    expect(xsiType(foreign)).toBeUndefined();
    expect(xsiType(unbound)).toBeUndefined();
    // a prefix rebound to another namespace below the envelope is that namespace's
    expect(xsiType(rebound)).toBeUndefined();
  });

  it('reads a failed task: its fault type and localized message, and a running one with its progress', () => {
    const body = parseSoapBody(
      ENVELOPE(
        '<X xmlns="urn:vim25"><val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><state>error</state><error><fault xsi:type="InvalidPowerState"><existingState>poweredOff</existingState></fault><localizedMessage>The attempted operation cannot be performed in the current state (Powered off).</localizedMessage></error></val><val><state>running</state><progress>40</progress></val></X>',
      ),
    );
    const [failed = {}, running = {}] = children(child(body, 'X'), 'val');
    expect(parseTaskInfo({ type: 'Task', value: 'task-1' }, failed)).toMatchObject({
      state: 'error',
      fault: 'InvalidPowerState',
      error: 'The attempted operation cannot be performed in the current state (Powered off).',
    });
    expect(parseTaskInfo({ type: 'Task', value: 'task-2' }, running)).toEqual({
      task: { type: 'Task', value: 'task-2' },
      state: 'running',
      progress: 40,
    });
  });

  it('refuses an answer that is not a SOAP envelope', () => {
    expect(() => parseSoapBody('<html><body>404</body></html>')).toThrow(/not a SOAP envelope/);
  });
});

describe('faults', () => {
  const fault = (detail: string, faultstring = '') =>
    faultOf(
      parseSoapBody(
        ENVELOPE(
          `<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${faultstring}</faultstring><detail>${detail}</detail></soapenv:Fault>`,
        ),
      ),
    ) ?? {};

  it('takes the type from the detail xsi:type and the message from faultstring', () => {
    const f = fault(
      '<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>',
      'Login failure',
    );
    const error = vsphereFault(f, 'Login');
    expect(error).toBeInstanceOf(VSphereFault);
    expect(error).toMatchObject({ fault: 'InvalidLogin', message: 'Login: Login failure' });
  });

  it('falls back on the element name, and on the type and state when faultstring is empty (vcsim)', () => {
    expect(
      faultType(
        fault(
          '<NotAuthenticatedFault xmlns="urn:vim25"><privilegeId>System.View</privilegeId></NotAuthenticatedFault>',
        ),
      ),
    ).toBe('NotAuthenticated');
    const power = fault(
      '<InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState><existingState>poweredOff</existingState></InvalidPowerStateFault>',
    );
    expect(vsphereFault(power, 'ShutdownGuest').message).toBe(
      'ShutdownGuest: InvalidPowerState (the VM is poweredOff)',
    );
    expect(faultType(fault(''))).toBe('SystemError');
  });

  it('masks the session key and credentials out of the message', () => {
    const f = fault(
      '<ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="PropertyCollector">session[0b1c-key]6f80</obj></ManagedObjectNotFoundFault>',
      'The object session[0b1c-key]6f80 for admin has already been deleted',
    );
    const error = vsphereFault(f, 'DestroyPropertyCollector', ['0b1c-key', 'admin']);
    expect(error.message).toBe(
      'DestroyPropertyCollector: The object session[***]6f80 for *** has already been deleted',
    );
  });
});

// expected values printed by Go's regexp with Forklift's pattern, the function's oracle
describe("Forklift's trimBackingFileName (release-2.12 vsphere/utils.go, builder.go backingFilePattern)", () => {
  it.each([
    ['[datastore13] my-vm/disk-name-000015.vmdk', '[datastore13] my-vm/disk-name.vmdk'],
    ['[datastore13] my-vm/disk-name.vmdk', '[datastore13] my-vm/disk-name.vmdk'],
    ['[ds] vm/vm-1-000001.vmdk', '[ds] vm/vm-1.vmdk'],
    ['[ds] vm/vm-00001.vmdk', '[ds] vm/vm-00001.vmdk'],
    ['[ds] vm/vm-0000001.vmdk', '[ds] vm/vm-0000001.vmdk'],
    ['[ds] a-000001.vmdk/b-000002.vmdk', '[ds] a.vmdk/b.vmdk'],
    ['[ds] vm/vm-000001xvmdk', '[ds] vm/vm.vmdk'],
  ])('%s -> %s', (input, output) => {
    expect(trimBackingFileName(input)).toBe(output);
  });
});

describe('the thumbprint rule (govmomi vim25/soap/client.go dialTLS)', () => {
  const certificate = { fingerprint: '2C:11:ED:D7:13:87:7D:B5:74:18:B8:1C:42:C2:56:1F:0D:B9:5B:B9' };

  it('accepts an unknown authority or a wrong host name when the thumbprint matches, in any case or spelling', () => {
    for (const why of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      expect(judgeCertificate({ thumbprint: certificate.fingerprint.toLowerCase() }, why, certificate)).toEqual({
        accepted: true,
      });
    }
    expect(normalizeThumbprint('2c11edd713877db57418b81c42c2561f0db95bb9')).toBe(certificate.fingerprint);
  });

  it('refuses a peer that sent no certificate (Node gives {}) instead of throwing in the socket handler', () => {
    expect(judgeCertificate({ thumbprint: certificate.fingerprint }, 'DEPTH_ZERO_SELF_SIGNED_CERT', {})).toEqual({
      accepted: false,
      reason: 'the server presented no certificate (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
  });

  it('refuses another thumbprint, no thumbprint, and an expired certificate even with its thumbprint', () => {
    expect(judgeCertificate({ thumbprint: '00:11' }, 'DEPTH_ZERO_SELF_SIGNED_CERT', certificate)).toMatchObject({
      accepted: false,
      reason: expect.stringContaining("is not the Provider's 00:11"),
    });
    expect(judgeCertificate({}, 'DEPTH_ZERO_SELF_SIGNED_CERT', certificate)).toEqual({
      accepted: false,
      reason: 'the server certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)',
    });
    expect(judgeCertificate({ thumbprint: certificate.fingerprint }, 'CERT_HAS_EXPIRED', certificate)).toMatchObject({
      accepted: false,
    });
  });

  it('accepts anything with insecureSkipVerify', () => {
    expect(judgeCertificate({ insecureSkipVerify: true }, 'CERT_HAS_EXPIRED', certificate)).toEqual({ accepted: true });
  });
});
