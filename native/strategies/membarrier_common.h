// Shared body of the membarrier strategies: register (when the command needs it), then one
// membarrier(2) call per barrier. The kernel does the rest, which is why the strategies differ
// only in their two command numbers.
#pragma once
#include <string>

#include "platform/membarrier.h"
#include "strategy.h"

namespace mbp {

class MembarrierStrategy : public Strategy {
 public:
  // The registration's name comes from the descriptor (StrategyInfo::caps), so the report's step and
  // the catalogue's capability can never disagree.
  MembarrierStrategy(const StrategyInfo& info, int register_cmd, int barrier_cmd)
      : info_(info),
        register_cmd_(register_cmd),
        barrier_cmd_(barrier_cmd),
        register_name_(info.caps.membarrier.register_command ? info.caps.membarrier.register_command : "") {}
  const StrategyInfo& info() const override { return info_; }
  PrepareResult Prepare(int) override {
    PrepareResult r;
    long q = membarrier(kQuery);
    if (q < 0) return {int(-q), "MEMBARRIER_CMD_QUERY", {}};
    if (!(q & barrier_cmd_)) return {EINVAL, "the QUERY mask lacks this command", {}};
    if (register_cmd_ != 0) {
      long rr = membarrier(register_cmd_);
      if (rr < 0) return {int(-rr), register_name_, {}};
      // Read the registration back in this very process (6.3+), so a report can show that the
      // process whose readers are measured was registered, not only a child at inspect time.
      long regs = membarrier(kGetRegistrations);
      if (regs >= 0) {
        r.notes.push_back(
            {"registrations-read-back",
             std::string("GET_REGISTRATIONS in this process after registering: ") + std::to_string(regs) +
                 ((regs & register_cmd_) ? " (includes this registration)" : " (does NOT include this registration)")});
      }
    }
    return r;
  }
  int Heavy() override {
    long r = membarrier(barrier_cmd_);
    return r < 0 ? int(-r) : 0;
  }

 private:
  const StrategyInfo& info_;
  int register_cmd_, barrier_cmd_;
  const char* register_name_;
};

}  // namespace mbp
