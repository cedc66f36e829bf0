// The main script of the single executable (scripts/package.ts). Node.js runs an executable's main as CommonJS, and
// the CLI is ESM (Ink has top-level await), so this stub unpacks the ESM bundle, embedded as SEA assets, into a cache
// directory named by the bundle's hash, and import()s it from there: real files, so that the bundle's chunks, its
// lazy import()s, oclif's package.json and manifest and the sandbox CRDs resolve exactly as under bin/kubectl-mtv.
// The first run writes the files (a few MB, into a temporary directory renamed into place, so a run never sees half
// a directory); later runs only check that the directory exists.
'use strict';
const { getAsset } = require('node:sea');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');

/** { id: the bundle's sha256, files: the asset names, which are paths relative to the unpacked root }. */
const index = JSON.parse(getAsset('index.json', 'utf8'));

/** The per-user cache: $XDG_CACHE_HOME or ~/.cache, ~/Library/Caches on macOS, %LOCALAPPDATA% on Windows. */
function userCache() {
  if (process.platform === 'win32') return process.env.LOCALAPPDATA || path.join(os.homedir(), 'AppData', 'Local');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Caches');
  return process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
}

/**
 * A directory only this user can write, or undefined. The fallback in the shared temporary directory carries the uid
 * and is used only when it is ours, a real directory and closed to others: files run from it must be ours.
 */
function ownDirectory(dir, shared) {
  try {
    makeDirectories(dir);
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return undefined;
    if (shared && process.getuid && (stat.uid !== process.getuid() || (stat.mode & 0o022) !== 0)) return undefined;
    fs.accessSync(dir, fs.constants.W_OK);
    return dir;
  } catch {
    return undefined;
  }
}

/**
 * mkdir -p, one level at a time: Node.js 20's recursive mkdirSync can spin forever where a parent cannot be created
 * (XDG_CACHE_HOME under /proc, say) instead of failing.
 */
function makeDirectories(dir) {
  const missing = [];
  for (let at = dir; !fs.existsSync(at) && missing.length < 64; at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const each of missing.reverse()) fs.mkdirSync(each, { mode: 0o700 });
}

function cacheRoot() {
  const dir =
    ownDirectory(path.join(userCache(), 'kubectl-mtv'), false) ??
    ownDirectory(path.join(os.tmpdir(), `kubectl-mtv-${process.getuid ? process.getuid() : 'user'}`), true);
  if (!dir) throw new Error('kubectl-mtv: no writable cache directory (set XDG_CACHE_HOME)');
  return dir;
}

function unpack() {
  const base = cacheRoot();
  const dir = path.join(base, index.id);
  if (fs.existsSync(dir)) return dir;
  const partial = fs.mkdtempSync(path.join(base, `${index.id}.partial-`));
  for (const name of index.files) {
    const file = path.join(partial, ...name.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, new Uint8Array(getAsset(name)));
  }
  try {
    fs.renameSync(partial, dir);
  } catch (error) {
    // Another run unpacked the same bundle first: use its directory.
    fs.rmSync(partial, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw error;
  }
  return dir;
}

const cli = pathToFileURL(path.join(unpack(), 'dist', 'cli.js')).href;
import(cli)
  .then(({ execute }) => execute({ dir: cli }))
  .catch((error) => {
    process.stderr.write(`kubectl-mtv: ${error?.stack ?? error}\n`);
    process.exitCode = 70;
  });
