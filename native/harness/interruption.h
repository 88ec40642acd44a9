// Turns one phase's raw record (the writer's call windows, each reader's gaps) into the
// mechanism evidence: for each heavy call, was each reader interrupted inside it, and was any
// reader descheduled (then the call is counted apart: a context switch orders by itself).
#pragma once
#include <cstdint>
#include <vector>

#include "harness/sb_litmus.h"
#include "harness/timebase.h"

namespace mbp {

struct ReaderMechanism {
  int cpu = -1;
  uint64_t on_cpu_calls = 0;     // calls during which this reader was not descheduled
  uint64_t interrupted = 0;      // ... and during which it had a short gap
  uint64_t raw_interrupted = 0;  // calls during which it had any gap
  uint64_t gaps = 0, descheduled_gaps = 0;
  double median_interruption_ns = 0;  // length of the gaps that fell inside calls, on CPU
};

struct Mechanism {
  uint64_t calls = 0;             // calls judged (all but the unobserved)
  uint64_t unobserved_calls = 0;  // after a reader's gap store filled up: left out, not guessed
  uint64_t on_cpu_calls = 0;      // every reader stayed on its CPU
  uint64_t descheduled_calls = 0;
  uint64_t all_interrupted = 0;      // on-CPU calls that interrupted every reader
  uint64_t raw_all_interrupted = 0;  // calls with a gap on every reader, descheduled or not
  std::vector<ReaderMechanism> readers;
  std::vector<bool> on_cpu;  // per call (false for unobserved calls too)
};

Mechanism AnalyseInterruption(const std::vector<Window>& windows, const std::vector<ReaderEvidence>& readers,
                              uint64_t margin_ticks, const TickRate& rate);

struct Latency {
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
  uint64_t calls = 0;
};
// Percentiles of call durations in ns; with `only`, just the calls it marks.
Latency LatencyOf(const std::vector<Window>& windows, const TickRate& rate, const std::vector<bool>* only = nullptr);

struct PhaseLatency {
  Latency all, on_cpu;
};
// Both of a phase's latencies (every call; the calls on_cpu marks) as LatencyOf computes them, in
// the windows' own storage: it consumes and frees them. A copy of the durations (8 B per call
// beside the windows' own) was a third of a phase's peak memory: 4 MB at 500,000 calls.
PhaseLatency ConsumeLatencies(std::vector<Window>& windows, const std::vector<bool>& on_cpu, const TickRate& rate);

}  // namespace mbp
