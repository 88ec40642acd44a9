// The engine's watchdog for what no deadline inside a loop can bound: a heavy call blocked in the
// kernel (membarrier waiting on an RCU grace period, mprotect waiting on the mm's lock). The body
// runs on a thread of its own; past `abandon_ticks` that thread is detached and left to finish by
// itself, and the caller reports a timeout instead of hanging the engine. The body must therefore
// own (by shared_ptr) everything it touches: nothing on the caller's stack outlives an abandon.
#pragma once
#include <cstdint>
#include <functional>

namespace mbp {

// True when the body returned; false when it was abandoned at abandon_ticks (0: never abandon).
bool RunWatched(std::function<void()> body, uint64_t abandon_ticks);

}  // namespace mbp
