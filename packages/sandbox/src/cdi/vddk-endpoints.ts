/**
 * Where CDI's importer can read a disk from, and how it fails elsewhere. A vddk source names a server (`url`) and its
 * certificate's thumbprint; the importer logs in there with the VDDK Secret and looks the VM up
 * (containerized-data-importer pkg/importer/vddk-datasource_amd64.go createVMwareClient: url.Parse, govmomi's
 * soap.NewClient with SetThumbprint(vmwURL.Host), vim25.NewClient, Login, FindVM). In the sandbox two kinds of
 * server answer:
 * - vCenter: the Provider's URL, with the Provider's fingerprint; it finds every VM;
 * - an ESXi host with a Host CR: `https://<spec.ipAddress>/sdk` (IPv6 in brackets), with the host's own thumbprint (the
 *   inventory's); it finds only its own VMs ("unable to locate VM in any datacenter" for another host's), and one whose
 *   Host CR is not Ready refuses the login, as its failed connection test said it would.
 * Any other address cannot be reached, and a thumbprint that is not the server's fails govmomi's check (soap/client.go
 * dialTLS: "host %q thumbprint does not match %q"; the sandbox's certificates are signed by no CA the importer knows,
 * so the thumbprint is always what decides). The importer exits and restarts with its message, as CDI writes it
 * (cmd/cdi-importer/importer.go errorCannotConnectDataSource: "Unable to connect to vddk data source: %v").
 */
import { isIP } from 'node:net';
import type { Scenario } from '@kubectl-mtv/engine';
import type { InventoryData } from '../inventory/model.js';
import { hostsWithCr } from '../seed/host-crs.js';

/** The servers a vddk source may name. */
export interface VddkEndpoints {
  /** The sandbox's vCenter: its address (lower case, no brackets), port and certificate thumbprint. */
  vcenter: { hostname: string; port: string; thumbprint: string };
  /** ESXi hosts with a Host CR, by address (lower case, no brackets). */
  esxi: Map<string, { hostName: string; thumbprint: string; ready: boolean }>;
}

/** CDI's termination message prefix for a vddk source it cannot use. */
export const CANNOT_CONNECT = 'Unable to connect to vddk data source: ';
/** CDI's FindVM when no datacenter of the server has the VM. */
export const VM_NOT_FOUND = 'unable to locate VM in any datacenter';
const LOGIN_REFUSED = 'ServerFaultCode: Cannot complete login due to an incorrect user name or password.';

/** The servers of the sandbox for `scenario`: vCenter, and each host the seed gives a Host CR. */
export function vddkEndpoints(
  scenario: Scenario,
  inventory: InventoryData,
  vcenter: { url: string; thumbprint: string },
): VddkEndpoints {
  const esxi = new Map<string, { hostName: string; thumbprint: string; ready: boolean }>();
  for (const { spec, id } of hostsWithCr(scenario, inventory)) {
    const thumbprint = inventory.hosts.find((host) => host.id === id)?.thumbprint ?? '';
    esxi.set(bare(spec.ipAddress ?? ''), { hostName: spec.name, thumbprint, ready: spec.hostCr === 'ready' });
  }
  const url = new URL(vcenter.url);
  return {
    vcenter: { hostname: bare(url.hostname), port: url.port || '443', thumbprint: vcenter.thumbprint },
    esxi,
  };
}

/**
 * Why the importer cannot read a disk of host `hostName` through `url` with `thumbprint`, in CDI's words; undefined
 * when it can.
 */
export function endpointError(
  endpoints: VddkEndpoints,
  hostName: string,
  url: string,
  thumbprint: string,
): string | undefined {
  const parsed = parseGoUrl(url);
  if ('error' in parsed) return `${CANNOT_CONNECT}${parsed.error}`;
  const { hostPort, hostname, port } = parsed;
  const post = `Post "https://${hostPort}/sdk"`;
  // soap.Client hostAddr: the default port when the URL names none; net.Dial splits host and port again, and an IPv6
  // address without brackets has too many colons for that
  const address = port === '' ? `${hostPort}:443` : hostPort;
  if (!address.startsWith('[') && address.slice(0, address.lastIndexOf(':')).includes(':')) {
    return `${CANNOT_CONNECT}${post}: dial tcp: address ${address}: too many colons in address`;
  }
  const key = bare(hostname);
  const isVcenterHost = key === endpoints.vcenter.hostname;
  const esxi = isVcenterHost ? undefined : endpoints.esxi.get(key);
  // the sandbox's vCenter listens on its own port; ESXi hosts on 443
  const isVcenter = isVcenterHost && (port || '443') === endpoints.vcenter.port;
  const known = isVcenter || ((port === '' || port === '443') && esxi !== undefined);
  if (!known) {
    return isIP(key) === 0
      ? `${CANNOT_CONNECT}${post}: dial tcp: lookup ${hostname}: no such host`
      : `${CANNOT_CONNECT}${post}: dial tcp ${address}: connect: no route to host`;
  }
  const expected = esxi?.thumbprint ?? endpoints.vcenter.thumbprint;
  if (thumbprint === '') {
    return `${CANNOT_CONNECT}${post}: tls: failed to verify certificate: x509: certificate signed by unknown authority`;
  }
  if (thumbprint !== expected) {
    return `${CANNOT_CONNECT}${post}: host "${address}" thumbprint does not match "${thumbprint}"`;
  }
  if (esxi && !esxi.ready) return `${CANNOT_CONNECT}${LOGIN_REFUSED}`;
  if (esxi && esxi.hostName !== hostName) return `${CANNOT_CONNECT}${VM_NOT_FOUND}`;
  return undefined;
}

/**
 * The host part of `url` as Go's net/url reads it (url.Parse, URL.Hostname, URL.Port): brackets mark an IPv6 address;
 * without them the text after the last colon is the port, and a port that is not all digits is a parse error.
 */
function parseGoUrl(url: string): { hostPort: string; hostname: string; port: string } | { error: string } {
  const match = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/.exec(url);
  if (!match) return { error: `Post "${url}": unsupported protocol scheme ""` };
  const hostPort = match[1].slice(match[1].lastIndexOf('@') + 1);
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    const rest = close === -1 ? hostPort : hostPort.slice(close + 1);
    if (close === -1) return { error: `parse "${url}": missing ']' in host` };
    if (rest !== '' && !/^:[0-9]*$/.test(rest)) return { error: `parse "${url}": invalid port "${rest}" after host` };
    return { hostPort, hostname: hostPort.slice(1, close), port: rest.slice(1) };
  }
  const colon = hostPort.lastIndexOf(':');
  if (colon === -1) return { hostPort, hostname: hostPort, port: '' };
  const port = hostPort.slice(colon);
  if (!/^:[0-9]*$/.test(port)) return { error: `parse "${url}": invalid port "${port}" after host` };
  return { hostPort, hostname: hostPort.slice(0, colon), port: port.slice(1) };
}

/** An address as the sandbox keys it: lower case, without IPv6 brackets. */
function bare(address: string): string {
  return address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
