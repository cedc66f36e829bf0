/**
 * Reproducible archives: the same files give the same bytes on any machine, in any time zone, with any Node.js.
 *
 * - tar: plain ustar written here, entries in the order given, mtime 0, uid/gid 0, no owner names, modes 0755/0644;
 * - gzip and zip: fflate (pure JavaScript, pinned in package.json) at level 6 (level 9 takes twice as long for 0.1% less), header mtime 0. Node's zlib is not
 *   used to compress: Node ships Chromium's zlib, whose matches (and so its bytes) can differ with the CPU's SIMD
 *   features and between Node versions, which would break the sha256 krew-manifest.yaml records;
 * - zip: fflate's DOS dates are local time, so the fixed date is built in local time (1980-01-01 00:00, the earliest
 *   a zip can hold) and reads back the same in every time zone.
 */
import { gunzipSync, gzipSync, strFromU8, unzipSync, zipSync } from 'fflate';

/** One file of an archive. */
export interface ArchiveEntry {
  name: string;
  data: Uint8Array;
  executable: boolean;
}

const BLOCK = 512;

function writeString(header: Uint8Array, offset: number, length: number, value: string): void {
  const bytes = new TextEncoder().encode(value);
  if (bytes.length > length) throw new Error(`tar: ${JSON.stringify(value)} does not fit in ${length} bytes`);
  header.set(bytes, offset);
}

/** An octal number field: zero-padded, NUL-terminated, as GNU tar writes it. */
function writeOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  writeString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function tarHeader(entry: ArchiveEntry): Uint8Array {
  const header = new Uint8Array(BLOCK);
  writeString(header, 0, 100, entry.name);
  writeOctal(header, 100, 8, entry.executable ? 0o755 : 0o644);
  writeOctal(header, 108, 8, 0); // uid
  writeOctal(header, 116, 8, 0); // gid
  writeOctal(header, 124, 12, entry.data.length);
  writeOctal(header, 136, 12, 0); // mtime
  header.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  header[156] = 0x30; // '0': a regular file
  writeString(header, 257, 8, 'ustar\u000000');
  const sum = header.reduce((total, byte) => total + byte, 0);
  writeString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** A ustar archive of `entries`, in that order. */
export function tar(entries: ArchiveEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const entry of entries) {
    parts.push(tarHeader(entry), entry.data);
    const pad = (BLOCK - (entry.data.length % BLOCK)) % BLOCK;
    if (pad > 0) parts.push(new Uint8Array(pad));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The regular files of a ustar archive (what `tar` writes), with their mode, uid, gid and mtime. */
export function untar(
  archive: Uint8Array,
): (ArchiveEntry & { mode: number; uid: number; gid: number; mtime: number })[] {
  const files = [];
  const text = (offset: number, length: number) =>
    strFromU8(archive.subarray(offset, offset + length)).replace(/\0.*$/s, '');
  const octal = (offset: number, length: number) => Number.parseInt(text(offset, length).trim() || '0', 8);
  for (let at = 0; at + BLOCK <= archive.length; ) {
    if (archive.subarray(at, at + BLOCK).every((byte) => byte === 0)) break;
    const size = octal(at + 124, 12);
    const type = String.fromCharCode(archive[at + 156]);
    const prefix = text(at + 345, 155);
    const name = prefix ? `${prefix}/${text(at, 100)}` : text(at, 100);
    const mode = octal(at + 100, 8);
    const data = archive.subarray(at + BLOCK, at + BLOCK + size);
    if (type === '0' || type === '\0') {
      files.push({
        name,
        data,
        mode,
        executable: (mode & 0o111) !== 0,
        uid: octal(at + 108, 8),
        gid: octal(at + 116, 8),
        mtime: octal(at + 136, 12),
      });
    }
    at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}

export function tarGz(entries: ArchiveEntry[]): Uint8Array {
  return gzipSync(tar(entries), { level: 6, mtime: 0 });
}

export function untarGz(archive: Uint8Array): ReturnType<typeof untar> {
  return untar(gunzipSync(archive));
}

export function zip(entries: ArchiveEntry[]): Uint8Array {
  const mtime = new Date(1980, 0, 1, 0, 0, 0);
  return zipSync(
    Object.fromEntries(
      entries.map((entry) => [
        entry.name,
        [entry.data, { level: 6, mtime, os: 3, attrs: (entry.executable ? 0o100755 : 0o100644) << 16 }],
      ]),
    ),
  );
}

export function unzip(archive: Uint8Array): Record<string, Uint8Array> {
  return unzipSync(archive);
}
