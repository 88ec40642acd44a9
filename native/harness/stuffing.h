// Stores to cold cache lines that a reader issues just before its SB store. Stores leave the store
// buffer in order, so its SB store waits behind misses: the window in which the writer cannot see
// it grows from ~100 cycles to thousands, which is what makes SB relax often enough to measure.
// The buffers are pre-faulted once and kept across phases (a page fault during a trial would be a
// kernel entry, and re-faulting them per phase would cost more than many phases take), and are
// walked with an odd stride of lines so the hardware prefetcher does not warm the next line.
#pragma once
#include <cstddef>
#include <cstdint>

namespace mbp {

// Returns reader `index`'s buffer of `bytes` bytes, faulted in; phases run one at a time.
uint8_t* StuffingBuffer(size_t index, size_t bytes);

class Stuffing {
 public:
  // 16 MiB in all (several times any L2), shared out among the readers, bounds the footprint.
  Stuffing(int lines, size_t index, size_t readers) : lines_(lines) {
    if (lines <= 0) return;
    size_ = (size_t(16) << 20) / (readers ? readers : 1);
    if (size_ < (size_t(4) << 20)) size_ = size_t(4) << 20;
    buf_ = StuffingBuffer(index, size_);
  }
  inline void Store() {
    for (int k = 0; k < lines_; ++k) {
      buf_[pos_] = 1;
      pos_ += kStride;
      if (pos_ >= size_) pos_ -= size_;
    }
  }

 private:
  static constexpr size_t kStride = 64 * 17;
  int lines_;
  size_t pos_ = 0, size_ = 0;
  volatile uint8_t* buf_ = nullptr;
};

}  // namespace mbp
