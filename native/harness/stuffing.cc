#include "harness/stuffing.h"

#include <sys/mman.h>

#include <mutex>

namespace mbp {
namespace {
std::mutex g_mu;
std::shared_ptr<StuffBuffer> g_buf;
}  // namespace

StuffBuffer::StuffBuffer(size_t n) {
  // MAP_POPULATE faults every page in now, before any trial; an anonymous mapping is returned to
  // the kernel at once by munmap (a large malloc may linger in the allocator's arena).
  void* p = mmap(nullptr, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
  if (p == MAP_FAILED) return;
  data = static_cast<uint8_t*>(p);
  bytes = n;
  // Written once so each page is private and dirty (populate alone may map the shared zero page).
  for (size_t i = 0; i < n; i += 4096) data[i] = 0;
}

StuffBuffer::~StuffBuffer() {
  if (data) munmap(data, bytes);
}

std::shared_ptr<StuffBuffer> AcquireStuffing(size_t n) {
  std::lock_guard<std::mutex> lock(g_mu);
  if (!g_buf || !g_buf->data || g_buf->bytes < n) {
    g_buf.reset();  // release the old one first: bounds the peak
    g_buf = std::make_shared<StuffBuffer>(n);
  }
  return g_buf;
}

void ReleaseStuffing() {
  std::lock_guard<std::mutex> lock(g_mu);
  g_buf.reset();
}

size_t StuffingHeld() {
  std::lock_guard<std::mutex> lock(g_mu);
  return g_buf && g_buf->data ? g_buf->bytes : 0;
}

}  // namespace mbp
