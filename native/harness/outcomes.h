// litmus7-style outcome histogram for SB: index r0*2 + r1, printed as "00", "01", "10", "11".
// "00" is the witness: neither side saw the other's store.
#pragma once
#include <cstdint>

namespace mbp {
inline int CountOutcome(uint8_t r0, uint8_t r1) { return (r0 ? 2 : 0) + (r1 ? 1 : 0); }
constexpr const char* kOutcomeNames[4] = {"00", "01", "10", "11"};
}  // namespace mbp
