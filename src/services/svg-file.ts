/** Schedule pictures on disk: a path that cannot be written is the user's to fix (exit 2), said in one line. */
import { constants } from 'node:fs';
import { access, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ExitCode, UserError } from '../errors.js';

function refuse(path: string, problem: string, flag: string): UserError {
  return new UserError(`cannot write the schedule picture "${path}": ${problem}`, {
    exitCode: ExitCode.usage,
    hint: `pass a file in a writable directory, e.g. ${flag} schedule.svg`,
  });
}

function describe(error: unknown, path: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return path === '' ? 'the path is empty' : 'its directory does not exist';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (error as Error).message;
}

/** Checks before a long run that `path` will be writable at its end: its directory exists and takes files. */
export async function checkSvgPath(path: string, flag: string): Promise<void> {
  if (path === '') throw refuse(path, 'the path is empty', flag);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw refuse(path, 'it is a directory', flag);
  try {
    await access(existing ? path : dirname(path), constants.W_OK);
  } catch (error) {
    throw refuse(path, describe(error, path), flag);
  }
}

export async function writeSvg(path: string, svg: string, flag: string): Promise<void> {
  try {
    await writeFile(path, svg);
  } catch (error) {
    throw refuse(path, describe(error, path), flag);
  }
}
