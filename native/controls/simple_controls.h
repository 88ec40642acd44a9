// A control whose writer side is one inline operation: the positive controls and the null syscall.
#pragma once
#include "strategy.h"

namespace mbp {

template <const StrategyInfo& kInfo, int (*kOp)()>
class InlineControl : public Strategy {
 public:
  const StrategyInfo& info() const override { return kInfo; }
  int Heavy() override { return kOp(); }
};

}  // namespace mbp
