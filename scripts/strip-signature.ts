/**
 * Removes the code signature from the Windows and macOS runtimes before the blob is injected, as Node.js's
 * single-executable docs ask (`signtool remove /s`, `codesign --remove-signature`), without those tools: the injected
 * file no longer matches its signature, and an unsigned executable is better than one whose signature is broken.
 * Linux binaries carry no signature.
 */

/** PE/COFF (Windows): clear the certificate table's data directory and cut the table off the end of the file. */
export function stripPeSignature(file: Buffer): Buffer {
  if (file.readUInt16LE(0) !== 0x5a4d) throw new Error('not a PE file: no MZ header');
  const pe = file.readUInt32LE(0x3c);
  if (file.readUInt32LE(pe) !== 0x4550) throw new Error('not a PE file: no PE signature');
  const optional = pe + 24;
  const magic = file.readUInt16LE(optional);
  const directories = optional + (magic === 0x20b ? 112 : 96);
  const security = directories + 4 * 8; // IMAGE_DIRECTORY_ENTRY_SECURITY
  const offset = file.readUInt32LE(security);
  const size = file.readUInt32LE(security + 4);
  if (offset === 0 || size === 0) return file;
  file.writeUInt32LE(0, security);
  file.writeUInt32LE(0, security + 4);
  file.writeUInt32LE(0, optional + 64); // CheckSum: covers the file, and nothing checks it for an executable
  // The table sits at the end of the file (it is not mapped); anything after it is padding to 8 bytes.
  return offset + size >= file.length - 8 ? file.subarray(0, offset) : file;
}

const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;

/** Mach-O 64-bit, one architecture (macOS): drop LC_CODE_SIGNATURE and the signature at the end of __LINKEDIT. */
export function stripMachOSignature(file: Buffer): Buffer {
  if (file.readUInt32LE(0) !== 0xfeedfacf) throw new Error('not a thin 64-bit Mach-O file');
  const ncmds = file.readUInt32LE(16);
  const sizeofcmds = file.readUInt32LE(20);
  const first = 32;
  let signature: { at: number; size: number; dataoff: number; datasize: number } | undefined;
  let linkedit: number | undefined;
  for (let i = 0, at = first; i < ncmds; i++) {
    const cmd = file.readUInt32LE(at);
    const size = file.readUInt32LE(at + 4);
    if (cmd === LC_CODE_SIGNATURE) {
      signature = { at, size, dataoff: file.readUInt32LE(at + 8), datasize: file.readUInt32LE(at + 12) };
    }
    if (cmd === LC_SEGMENT_64 && file.toString('latin1', at + 8, at + 24).replace(/\0+$/, '') === '__LINKEDIT') {
      linkedit = at;
    }
    at += size;
  }
  if (!signature) return file;
  if (linkedit === undefined) throw new Error('Mach-O file without __LINKEDIT');
  if (signature.dataoff + signature.datasize < file.length - 16) {
    throw new Error('the Mach-O signature is not at the end of the file: not removed');
  }
  // __LINKEDIT now ends where the signature began.
  const fileoff = Number(file.readBigUInt64LE(linkedit + 40));
  const filesize = BigInt(signature.dataoff - fileoff);
  file.writeBigUInt64LE(filesize, linkedit + 48);
  file.writeBigUInt64LE(((filesize + 0x3fffn) / 0x4000n) * 0x4000n, linkedit + 32);
  // Remove the load command: the ones after it move up, the freed bytes become zero.
  const end = first + sizeofcmds;
  file.copy(file, signature.at, signature.at + signature.size, end);
  file.fill(0, end - signature.size, end);
  file.writeUInt32LE(ncmds - 1, 16);
  file.writeUInt32LE(sizeofcmds - signature.size, 20);
  return file.subarray(0, signature.dataoff);
}
