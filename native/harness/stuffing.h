// Stores to cold cache lines that a reader issues just before its SB store. Stores leave the store
// buffer in order, so its SB store waits behind misses: the window in which the writer cannot see
// it grows from ~100 cycles to thousands, which is what makes SB relax often enough to measure.
//
// One 16 MiB buffer serves every reader of a phase. Each reader starts at its own offset and walks
// the whole buffer with an odd stride of lines (so the hardware prefetcher does not warm the next
// line): between two visits to a line it has stored to 16 MiB of others, several times any core's
// L2, and a line another reader stored to recently is owned by that reader's core and misses too.
// So sharing keeps the lines cold while the footprint stays the same at any reader count (a
// buffer per reader was 4 MiB each: 1.5 GiB at 383 readers). The buffer is pre-faulted before the
// readers start (a page fault during a trial would be a kernel entry), kept between the phases of
// a run (re-faulting it per phase costs milliseconds) and freed by ReleaseStuffing() when the run
// ends. Acquire and release happen on one thread at a time (the engine runs one experiment at a
// time); the phase keeps its own reference, so a release never pulls a buffer from under it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace mbp {

struct StuffBuffer {
  explicit StuffBuffer(size_t bytes);
  ~StuffBuffer();
  StuffBuffer(const StuffBuffer&) = delete;
  StuffBuffer& operator=(const StuffBuffer&) = delete;
  uint8_t* data = nullptr;  // nullptr when the mapping failed: stuffing is then skipped
  size_t bytes = 0;
};

// The buffer's size, whatever the number of readers (see above).
constexpr size_t kStuffingBytes = size_t(16) << 20;

// The run's buffer, at least `bytes` long, faulted in; reused while big enough.
std::shared_ptr<StuffBuffer> AcquireStuffing(size_t bytes);
// Drops the engine's reference; the memory is unmapped once no phase holds it.
void ReleaseStuffing();
// Bytes the engine holds now (0 after ReleaseStuffing and before the next phase).
size_t StuffingHeld();

class Stuffing {
 public:
  Stuffing(int lines, const StuffBuffer* buf, size_t index, size_t readers) : lines_(buf && buf->data ? lines : 0) {
    if (lines_ <= 0) return;
    buf_ = buf->data;
    size_ = buf->bytes;
    pos_ = (size_ / (readers ? readers : 1) * index) & ~size_t(63);
  }
  inline void Store() {
    for (int k = 0; k < lines_; ++k) {
      // Relaxed atomic byte stores compile to plain stores; readers share lines, and the value
      // stored never matters, only that the line must be fetched for ownership.
      __atomic_store_n(buf_ + pos_, uint8_t(1), __ATOMIC_RELAXED);
      pos_ += kStride;
      if (pos_ >= size_) pos_ -= size_;
    }
  }

 private:
  static constexpr size_t kStride = 64 * 17;
  int lines_;
  size_t pos_ = 0, size_ = 0;
  uint8_t* buf_ = nullptr;
};

}  // namespace mbp
