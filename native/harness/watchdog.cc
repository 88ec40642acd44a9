#include "harness/watchdog.h"

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>

#include "harness/timebase.h"

namespace mbp {

// A flag polled every millisecond rather than a condition variable: wait_for needs
// pthread_cond_clockwait (glibc 2.30), which the prebuilt binaries may not import (glibc 2.28).
bool RunWatched(std::function<void()> body, uint64_t abandon_ticks) {
  auto finished = std::make_shared<std::atomic<bool>>(false);
  std::thread t([finished, body = std::move(body)] {
    body();
    finished->store(true, std::memory_order_release);
  });
  // Deadline: abandon_ticks (the engine's clock is not a std::chrono clock).
  while (!finished->load(std::memory_order_acquire)) {
    if (abandon_ticks && Tick() >= abandon_ticks) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (finished->load(std::memory_order_acquire)) {
    t.join();
    return true;
  }
  t.detach();
  return false;
}

}  // namespace mbp
