// Pins the calling thread to one CPU. Readers and writer each own a CPU for a whole phase.
#pragma once
namespace mbp {
// Returns 0 or the errno of pthread_setaffinity_np (EINVAL: CPU offline or outside our mask).
int PinThisThread(int cpu);
}  // namespace mbp
