// Errno names and what they mean for the calls this tool makes. The meanings are specific to
// membarrier/mlock/affinity, which is what makes them useful in a report: "EPERM" alone does not
// tell a user that seccomp blocked the call.
import { constants } from 'node:os';

const byNumber = new Map<number, string>(Object.entries(constants.errno).map(([name, num]) => [num as number, name]));

export function errnoName(errno: number): string {
  return byNumber.get(errno) ?? `errno ${errno}`;
}

const MEMBARRIER_MEANING: Record<string, string> = {
  ENOSYS: 'the kernel lacks membarrier (or a filter reports it as missing)',
  EPERM: 'blocked by seccomp or another security policy',
  EINVAL: 'command unsupported here (kernel too old, or refused, e.g. GLOBAL under nohz_full)',
  EBUSY: 'a conflicting registration exists',
  ENOMEM: 'the kernel could not allocate memory for the request',
};

const GENERIC_MEANING: Record<string, string> = {
  EPERM: 'operation not permitted',
  ENOMEM: 'out of memory, or over RLIMIT_MEMLOCK',
  EAGAIN: 'resource temporarily unavailable (for mlock: over RLIMIT_MEMLOCK)',
  EINVAL: 'invalid argument',
  ENOSYS: 'not implemented by this kernel',
  EACCES: 'permission denied',
  ENOENT: 'no such file',
};

export function membarrierErrnoMeaning(errno: number): string {
  const name = errnoName(errno);
  return MEMBARRIER_MEANING[name] ?? GENERIC_MEANING[name] ?? 'unexpected error';
}

export function errnoMeaning(errno: number): string {
  return GENERIC_MEANING[errnoName(errno)] ?? 'unexpected error';
}
