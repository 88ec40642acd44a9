// Emulated CPUs (full-system emulation, QEMU TCG): every vCPU is a host thread translating guest
// code, so an IPI costs what the emulator charges (PRIVATE_EXPEDITED p50 8 ms in a 4-vCPU guest on
// 2 host CPUs) and a reader's clock gaps measure the emulator's scheduling. Findings that rest on
// timing (the gap test's interrupted shares, registration cost, contention) then say so and never
// become a problem or a refutation; SB outcomes and errnos still count.
import type { MachineFacts } from '../records.js';

export const EMULATED_CPUS = 'emulated CPUs: IPIs cost what the emulator charges';

/** The emulator's name when the CPUs are emulated, else null. Only x86's CPUID says so today (arm64 TCG is not recognised). */
export function emulatedCpus(f: MachineFacts): string | null {
  const v = f.hypervisor?.vendor ?? null;
  return v === 'QEMU TCG' ? v : null;
}
