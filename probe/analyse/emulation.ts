// Emulated CPUs (full-system emulation, QEMU TCG): every vCPU is a host thread translating guest
// code, so an IPI costs what the emulator charges (PRIVATE_EXPEDITED p50 8 ms in a 4-vCPU guest on
// 2 host CPUs) and a reader's clock gaps measure the emulator's scheduling. Findings that rest on
// timing (the gap test's interrupted shares, registration cost, contention) then say so and never
// become a problem or a refutation; SB outcomes and errnos still count.
import type { MachineFacts } from '../records.js';

export const EMULATED_CPUS = 'emulated CPUs: IPIs cost what the emulator charges';

/**
 * The emulator's name when the CPUs are emulated, else null. x86: CPUID's hypervisor vendor
 * (QEMU TCG says "TCGTCGTCGTCG"). arm64 has no such leaf, but MIDR's implementer 0x00 is reserved
 * for software use by the Arm architecture: no silicon has it, QEMU's emulated CPUs do, and a KVM
 * guest sees its host's real implementer.
 */
export function emulatedCpus(f: MachineFacts): string | null {
  const v = f.hypervisor?.vendor ?? null;
  if (v === 'QEMU TCG') return v;
  if (f.platform.arch === 'arm64' && f.cpus.implementer === '0x00')
    return 'QEMU TCG (CPU implementer 0x00, reserved for software)';
  return null;
}
