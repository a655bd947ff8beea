import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The data folder's owner: DATA_DIR/wg-enroll.lock holds the PID (with its start time, so a
 * reused PID is not mistaken for the owner), the command and the ports of the one process that
 * runs the embedded Postgres of that folder. Written by hand rather than with a lock library:
 * proper-lockfile and friends judge staleness by an mtime that the owner must keep touching (a
 * paused or busy owner then loses its lock) and record no PID or port, and this lock must say
 * who holds the folder and be judged stale only when that process is gone. Creation is atomic
 * (the file is written aside and hard-linked into place, which fails when the lock exists).
 */
export const LOCK_FILE = 'wg-enroll.lock';

export interface LockHolder {
  readonly pid: number;
  /** The process's start time (/proc/<pid>/stat field 22); null where /proc does not exist. */
  readonly startTime: string | null;
  readonly command: string;
  readonly httpUrl?: string;
  readonly postgresPort?: number;
}

export class DataFolderBusyError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by wg-enroll ${holder.command} (pid ${holder.pid}` +
        `${holder.httpUrl ? `, listening on ${holder.httpUrl}` : ''}` +
        `${holder.postgresPort ? `, Postgres on 127.0.0.1:${holder.postgresPort}` : ''}): ` +
        'stop it first, or set DATA_DIR to another folder',
    );
  }
}

function startTimeOf(pid: number): string | null {
  try {
    // The command name (field 2) may hold spaces and parentheses: count from its closing one.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function isAlive(holder: LockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') {
      return false;
    }
  }
  return holder.startTime === null || startTimeOf(holder.pid) === holder.startTime;
}

function readHolder(file: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return Number.isInteger(holder.pid) && holder.pid > 0 ? holder : null;
  } catch {
    return null;
  }
}

/** The live process holding the folder, or null (no lock, or its owner is gone). */
export function liveHolder(dataDir: string): LockHolder | null {
  const holder = readHolder(join(dataDir, LOCK_FILE));
  return holder !== null && holder.pid !== process.pid && isAlive(holder) ? holder : null;
}

export interface DataFolderLock {
  readonly holder: LockHolder;
  /** Records more about the owner (its ports) for the next process that finds the lock. */
  update(fields: Partial<Pick<LockHolder, 'httpUrl' | 'postgresPort'>>): void;
  release(): void;
}

/** Takes the folder for this process, or throws DataFolderBusyError naming the live holder. */
export function acquireDataFolderLock(dataDir: string, command: string): DataFolderLock {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, LOCK_FILE);
  let holder: LockHolder = { pid: process.pid, startTime: startTimeOf(process.pid), command };
  const write = (target: string) => writeFileSync(target, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  const aside = `${file}.${process.pid}`;
  for (let attempt = 0; ; attempt++) {
    write(aside);
    try {
      linkSync(aside, file);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) {
        throw error;
      }
      const current = readHolder(file);
      if (current !== null && isAlive(current)) {
        throw new DataFolderBusyError(dataDir, current);
      }
      // The owner is gone (or the file is unreadable): the lock is stale.
      rmSync(file, { force: true });
    } finally {
      rmSync(aside, { force: true });
    }
  }
  let released = false;
  const release = (): void => {
    if (!released) {
      released = true;
      process.removeListener('exit', release);
      if (readHolder(file)?.pid === process.pid) {
        rmSync(file, { force: true });
      }
    }
  };
  process.once('exit', release);
  return {
    get holder() {
      return holder;
    },
    update(fields) {
      holder = { ...holder, ...fields };
      write(aside);
      renameSync(aside, file);
    },
    release,
  };
}
