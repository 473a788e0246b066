/**
 * How certwatch writes a file whole (the alert state file, `certwatch audit --out`, the demo's HTML pages): the text
 * goes to a temporary file beside the target (same directory, so the same file system), which is flushed and then
 * renamed over the target. A crash leaves the old file or the new one, never half of one.
 *
 * These files hold a fleet's names, domains and alert history, so they are the owner's alone: a new one is 0600
 * whatever the umask, and a rewrite keeps the mode, owner and group of the file it replaces (a 0640 chosen for a
 * web server's group stays 0640 for that group; a 0600 never becomes 0644). A symbolic link at the target is
 * refused: renaming over it would replace the link, not write where it points.
 */
import { randomUUID } from 'node:crypto';
import type { Stats } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readlink, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CertwatchError } from './errors';

/** Owner read and write, nobody else: every file certwatch creates. */
export const PRIVATE_FILE_MODE = 0o600;
/** A directory certwatch creates for such a file (`.certwatch/` of the state file). */
const PRIVATE_DIRECTORY_MODE = 0o700;

/**
 * Replaces `path` with `text` in one step (see the file header). Throws a CertwatchError naming the path when it
 * is a symbolic link or not a regular file; other failures are the file system's own errors, for the caller to
 * name.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true, mode: PRIVATE_DIRECTORY_MODE });
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (existing?.isSymbolicLink()) throw await symlinkRefused(path, 'replaces files whole');
  // Renaming over a device or a pipe (/dev/null as root) would replace it with a plain file.
  if (existing && !existing.isFile()) {
    throw new CertwatchError(
      `${path} is not a regular file: certwatch replaces files whole, which would replace it. Name a file.`,
    );
  }
  const temporary = join(directory, `.${basename(path)}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`);
  try {
    // Created owner-only and exclusively ('wx' never follows a link), so the text is never readable by others.
    const handle = await open(temporary, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(text, 'utf8');
      // Set explicitly: the mode given to open() passes through the umask, which may narrow it.
      await handle.chmod(await modeFor(existing, handle));
      // Without the flush, a power loss after the rename can leave an empty file under the new name.
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/**
 * The mode of the replacement: 0600 for a new file; the old file's permission bits otherwise, with its owner and
 * group carried over. Where they cannot be (another user's file, a group we are not in), the group's and others'
 * bits are dropped, so the old bits never grant a group the old file did not name.
 */
async function modeFor(existing: Stats | null, handle: FileHandle): Promise<number> {
  if (!existing) return PRIVATE_FILE_MODE;
  const mode = existing.mode & 0o777;
  const created = await handle.stat();
  if (created.uid === existing.uid && created.gid === existing.gid) return mode;
  try {
    await handle.chown(existing.uid, existing.gid);
    return mode;
  } catch {
    return mode & 0o700;
  }
}

/**
 * The error for a symbolic link where certwatch writes a file: it names the link and where it points, and says
 * what to do. `does` says what certwatch would have done (`replaces files whole`, `appends`).
 */
export async function symlinkRefused(path: string, does: string): Promise<CertwatchError> {
  const target = await readlink(path).catch(() => null);
  return new CertwatchError(
    `${path} is a symbolic link${target === null ? '' : ` (to ${target})`}: certwatch ${does} and does not ` +
      'write through links. Name the file itself, or remove the link.',
  );
}
