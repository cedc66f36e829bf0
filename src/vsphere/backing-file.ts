/**
 * Forklift release-2.12 pkg/controller/plan/adapter/vsphere/utils.go trimBackingFileName with builder.go's
 * backingFilePattern `-\d\d\d\d\d\d.vmdk`: a snapshot's delta disk (`[ds] vm/disk-000015.vmdk`) names its base
 * (`[ds] vm/disk.vmdk`), the file a DataVolume's vddk.backingFile names. Go's regexp ReplaceAllString replaces every
 * match, and the unescaped `.` matches any character: both kept.
 */
const BACKING_FILE_PATTERN = /-\d\d\d\d\d\d.vmdk/g;

/** The base vmdk a (possibly delta) backing file belongs to. */
export function trimBackingFileName(fileName: string): string {
  return fileName.replace(BACKING_FILE_PATTERN, '.vmdk');
}
