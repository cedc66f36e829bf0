/**
 * ServiceInstance.RetrieveServiceContent: the managers a client finds its way by, under the MoRef values vCenter and
 * govmomi's simulator use (vcsim service_content.go; measured against it), and `about` as a vCenter 7.0.3 reports
 * it. Only the managers this vCenter serves are listed; govmomi's vim25.NewClient reads just this answer.
 */
import { moRefNode, type XmlNode } from './soap.js';

/** The vCenter release the sandbox claims: vCenter Server 7.0 Update 3, API 7.0.3.0. */
export const VCENTER_ABOUT = {
  name: 'VMware vCenter Server',
  fullName: 'VMware vCenter Server 7.0.3 build-19480866',
  vendor: 'VMware, Inc.',
  version: '7.0.3',
  build: '19480866',
  localeVersion: 'INTL',
  localeBuild: '000',
  osType: 'linux-x64',
  productLineId: 'vpx',
  apiType: 'VirtualCenter',
  apiVersion: '7.0.3.0',
  instanceUuid: '6c3d2a1e-5b4f-4e8a-9d7c-0a1b2c3d4e5f',
  licenseProductName: 'VMware VirtualCenter Server',
  licenseProductVersion: '7.0',
} as const;

export function serviceContent(): XmlNode {
  const ref = (type: string, value: string) => moRefNode({ type, value });
  return {
    rootFolder: ref('Folder', 'group-d1'),
    propertyCollector: ref('PropertyCollector', 'propertyCollector'),
    viewManager: ref('ViewManager', 'ViewManager'),
    about: { ...VCENTER_ABOUT },
    setting: ref('OptionManager', 'VpxSettings'),
    userDirectory: ref('UserDirectory', 'UserDirectory'),
    sessionManager: ref('SessionManager', 'SessionManager'),
    authorizationManager: ref('AuthorizationManager', 'AuthorizationManager'),
    eventManager: ref('EventManager', 'EventManager'),
    taskManager: ref('TaskManager', 'TaskManager'),
    searchIndex: ref('SearchIndex', 'SearchIndex'),
    fileManager: ref('FileManager', 'FileManager'),
    virtualDiskManager: ref('VirtualDiskManager', 'virtualDiskManager'),
  };
}
