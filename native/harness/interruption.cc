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

Mechanism AnalyseInterruption(const std::vector<Window>& windows, const std::vector<ReaderEvidence>& readers,
                              uint64_t margin, const TickRate& rate) {
  Mechanism m;
  const size_t R = readers.size(), C = windows.size();
  m.calls = C;
  m.on_cpu.assign(C, true);
  m.readers.resize(R);
  std::vector<std::vector<uint8_t>> hit(R, std::vector<uint8_t>(C, 0));  // bit0 gap, bit1 descheduled
  std::vector<std::vector<double>> lengths(R);
  for (size_t r = 0; r < R; ++r) {
    const auto& gaps = readers[r].gaps;
    ReaderMechanism& rm = m.readers[r];
    rm.cpu = readers[r].cpu;
    rm.gaps = gaps.size();
    for (const Gap& g : gaps) rm.descheduled_gaps += g.descheduled;
    size_t j = 0;
    for (size_t c = 0; c < C; ++c) {
      const uint64_t a = windows[c].from > margin ? windows[c].from - margin : 0, b = windows[c].to + margin;
      while (j < gaps.size() && gaps[j].to <= a) ++j;  // ends before this and every later call
      for (size_t k = j; k < gaps.size() && gaps[k].from < b; ++k) {
        hit[r][c] |= 1;
        if (gaps[k].descheduled) hit[r][c] |= 2;
        else lengths[r].push_back(rate.ToNs(double(gaps[k].to - gaps[k].from)));
      }
    }
  }
  for (size_t c = 0; c < C; ++c) {
    bool all = true, all_raw = true;
    for (size_t r = 0; r < R; ++r) {
      if (hit[r][c] & 2) m.on_cpu[c] = false;
      if (!(hit[r][c] & 1)) all_raw = false;
      if (hit[r][c] != 1) all = false;
    }
    m.raw_all_interrupted += all_raw;
    if (m.on_cpu[c]) {
      ++m.on_cpu_calls;
      m.all_interrupted += all;
    } else {
      ++m.descheduled_calls;
    }
    for (size_t r = 0; r < R; ++r) {
      m.readers[r].raw_interrupted += hit[r][c] & 1;
      if (!(hit[r][c] & 2)) {
        ++m.readers[r].on_cpu_calls;
        m.readers[r].interrupted += hit[r][c] & 1;
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

Latency LatencyOf(const std::vector<Window>& windows, const TickRate& rate, const std::vector<bool>* only) {
  std::vector<uint64_t> d;
  d.reserve(windows.size());
  for (size_t i = 0; i < windows.size(); ++i)
    if (!only || (*only)[i]) d.push_back(windows[i].to - windows[i].from);
  Latency l;
  l.calls = d.size();
  if (d.empty()) return l;
  std::sort(d.begin(), d.end());
  auto at = [&](double q) { return rate.ToNs(double(d[std::min(d.size() - 1, size_t(q * double(d.size())))])); };
  l.p50 = at(0.50);
  l.p90 = at(0.90);
  l.p99 = at(0.99);
  l.max = rate.ToNs(double(d.back()));
  return l;
}

}  // namespace mbp
