/**
 * A SOAP Fault as a VSphereFault: the type from the detail's xsi:type (`<InvalidLoginFault xsi:type="InvalidLogin">`,
 * or the element's name without its `Fault` suffix), the message from faultstring. vcsim sends an empty faultstring
 * for InvalidPowerState and NotAuthenticated, so an empty one is replaced by the type (and the VM's state if named).
 */
import { child, childText, type XmlNode, xsiType } from './soap-envelope.js';
import { VSphereFault } from './types.js';

/** The Fault element of a parsed Body, if the Body holds one. */
export function faultOf(body: XmlNode): XmlNode | undefined {
  return child(body, 'Fault');
}

/** The detail's one element (`<InvalidLoginFault …>`) and its name. */
function detailOf(fault: XmlNode): { name: string; node: XmlNode } | undefined {
  for (const [name, value] of Object.entries(child(fault, 'detail') ?? {})) {
    if (!name.startsWith('@_') && name !== '#text' && Array.isArray(value) && value[0] !== undefined) {
      return { name, node: value[0] };
    }
  }
  return undefined;
}

/** The fault's type (`InvalidLogin`, `ManagedObjectNotFound`, …); `SystemError` when the detail names none. */
export function faultType(fault: XmlNode): string {
  const detail = detailOf(fault);
  if (detail === undefined) return 'SystemError';
  return xsiType(detail.node) ?? detail.name.replace(/Fault$/, '');
}

/**
 * The VSphereFault for a Fault element, with `secrets` (the session key, which real vCenter and vcsim put in
 * session-scoped MoRefs such as a created PropertyCollector's, `session[<key>]…`) masked out of the message.
 */
export function vsphereFault(fault: XmlNode, method: string, secrets: readonly string[] = []): VSphereFault {
  const type = faultType(fault);
  const said = (childText(fault, 'faultstring') ?? '').trim();
  const state = childText(detailOf(fault)?.node, 'existingState');
  const words = said !== '' ? said : state === undefined ? type : `${type} (the VM is ${state})`;
  let message = `${method}: ${words}`;
  for (const secret of secrets) if (secret !== '') message = message.split(secret).join('***');
  return new VSphereFault(type, message);
}
