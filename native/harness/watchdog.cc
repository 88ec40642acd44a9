#include "harness/watchdog.h"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "harness/timebase.h"

namespace mbp {

bool RunWatched(std::function<void()> body, uint64_t abandon_ticks) {
  struct Done {
    std::mutex mu;
    std::condition_variable cv;
    bool finished = false;
  };
  auto done = std::make_shared<Done>();
  std::thread t([done, body = std::move(body)] {
    body();
    std::lock_guard<std::mutex> lock(done->mu);
    done->finished = true;
    done->cv.notify_all();
  });
  std::unique_lock<std::mutex> lock(done->mu);
  // Deadline: abandon_ticks, checked every 10 ms (the engine's clock is not a std::chrono clock).
  while (!done->finished) {
    if (abandon_ticks && Tick() >= abandon_ticks) break;
    done->cv.wait_for(lock, std::chrono::milliseconds(10));
  }
  const bool finished = done->finished;
  lock.unlock();
  if (finished) t.join();
  else t.detach();
  return finished;
}

}  // namespace mbp
