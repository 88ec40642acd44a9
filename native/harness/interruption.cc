#include "harness/interruption.h"

#include <algorithm>

namespace mbp {

uint64_t StepHistogram::Quantile(double q) const {
  uint64_t total = 0;
  for (uint64_t b : bucket) total += b;
  if (!total) return 0;
  const uint64_t want = uint64_t(double(total) * q);
  uint64_t seen = 0;
  for (int i = 0; i < 64; ++i) {
    seen += bucket[i];
    if (seen > want) return i >= 63 ? ~0ull : (uint64_t(1) << (i + 1));
  }
  return ~0ull;
}

uint64_t SelfCalibratedThreshold(const TickRate& rate, double floor_ns) {
  StepHistogram h;
  uint64_t prev = Tick();
  // Deadline: 1 ms of calibration.
  for (const uint64_t end = prev + rate.ToTicks(1e6); prev < end;) {
    const uint64_t now = Tick();
    h.Add(now - prev);
    prev = now;
  }
  return std::max<uint64_t>(4 * h.Quantile(0.999), rate.ToTicks(floor_ns));
}

// One pass over the calls with a cursor per reader: memory is O(readers + calls), not a
// readers x calls matrix (190 MB at 383 readers and 500,000 calls).
Mechanism AnalyseInterruption(const std::vector<Window>& windows, const std::vector<ReaderEvidence>& readers,
                              uint64_t margin, const TickRate& rate) {
  Mechanism m;
  const size_t R = readers.size(), C = windows.size();
  m.on_cpu.assign(C, false);
  m.readers.resize(R);
  // A reader whose gap store filled up stopped recording: calls from then on cannot be judged.
  uint64_t cutoff = ~0ull;
  for (size_t r = 0; r < R; ++r) {
    const ReaderEvidence& re = readers[r];
    if (re.overflow_at) cutoff = std::min(cutoff, re.overflow_at);
    m.readers[r].cpu = re.cpu;
    m.readers[r].gaps = re.gaps.size();
    for (const Gap& g : re.gaps) m.readers[r].descheduled_gaps += g.descheduled;
  }
  std::vector<size_t> cursor(R, 0);
  std::vector<uint8_t> hit(R);  // this call: bit0 gap, bit1 descheduled
  // Interruption lengths (ns), for each reader's median; at most one per gap and call.
  std::vector<std::vector<float>> lengths(R);
  for (size_t c = 0; c < C; ++c) {
    const uint64_t a = windows[c].from > margin ? windows[c].from - margin : 0, b = windows[c].to() + margin;
    if (b >= cutoff) {
      ++m.unobserved_calls;
      continue;
    }
    ++m.calls;
    bool all = true, all_raw = true, on_cpu = true;
    for (size_t r = 0; r < R; ++r) {
      const auto& gaps = readers[r].gaps;
      size_t& j = cursor[r];
      while (j < gaps.size() && gaps[j].to <= a) ++j;  // ends before this and every later call
      uint8_t h = 0;
      for (size_t k = j; k < gaps.size() && gaps[k].from < b; ++k) {
        h |= 1;
        if (gaps[k].descheduled) h |= 2;
        else lengths[r].push_back(float(rate.ToNs(double(gaps[k].to - gaps[k].from))));
      }
      hit[r] = h;
      if (h & 2) on_cpu = false;
      if (!(h & 1)) all_raw = false;
      if (h != 1) all = false;
    }
    m.on_cpu[c] = on_cpu;
    m.raw_all_interrupted += all_raw;
    if (on_cpu) {
      ++m.on_cpu_calls;
      m.all_interrupted += all;
    } else {
      ++m.descheduled_calls;
    }
    for (size_t r = 0; r < R; ++r) {
      m.readers[r].raw_interrupted += hit[r] & 1;
      if (!(hit[r] & 2)) {
        ++m.readers[r].on_cpu_calls;
        m.readers[r].interrupted += hit[r] & 1;
      }
    }
  }
  for (size_t r = 0; r < R; ++r) {
    auto& v = lengths[r];
    if (v.empty()) continue;
    std::nth_element(v.begin(), v.begin() + long(v.size() / 2), v.end());
    m.readers[r].median_interruption_ns = v[v.size() / 2];
  }
  return m;
}

namespace {

// Percentiles of durations already sorted ascending; at(i) is the i-th.
template <typename At>
Latency FromSorted(size_t n, At at, const TickRate& rate) {
  Latency l;
  l.calls = n;
  if (n == 0) return l;
  auto q = [&](double f) { return rate.ToNs(double(at(std::min(n - 1, size_t(f * double(n)))))); };
  l.p50 = q(0.50);
  l.p90 = q(0.90);
  l.p99 = q(0.99);
  l.max = rate.ToNs(double(at(n - 1)));
  return l;
}

}  // namespace

Latency LatencyOf(const std::vector<Window>& windows, const TickRate& rate, const std::vector<bool>* only) {
  std::vector<uint64_t> d;
  d.reserve(windows.size());
  for (size_t i = 0; i < windows.size(); ++i)
    if (!only || (*only)[i]) d.push_back(windows[i].len());
  std::sort(d.begin(), d.end());
  return FromSorted(d.size(), [&](size_t i) { return d[i]; }, rate);
}

PhaseLatency ConsumeLatencies(std::vector<Window>& windows, const std::vector<bool>& on_cpu, const TickRate& rate) {
  // Each window becomes {length, on CPU?} in place (from holds the length, code the flag); the
  // on-CPU ones then go first, so that sorting that prefix and then the whole gives both sets.
  for (size_t i = 0; i < windows.size(); ++i) {
    windows[i].from = windows[i].len();
    windows[i].code = i < on_cpu.size() && on_cpu[i] ? 1u : 0u;
  }
  const auto mid = std::partition(windows.begin(), windows.end(), [](const Window& w) { return w.code != 0; });
  const auto by_duration = [](const Window& a, const Window& b) { return a.from < b.from; };
  const auto at = [&](size_t i) { return windows[i].from; };
  PhaseLatency l;
  std::sort(windows.begin(), mid, by_duration);
  l.on_cpu = FromSorted(size_t(mid - windows.begin()), at, rate);
  std::sort(windows.begin(), windows.end(), by_duration);
  l.all = FromSorted(windows.size(), at, rate);
  std::vector<Window>().swap(windows);  // gone now, not when the phase's record is
  return l;
}

}  // namespace mbp
