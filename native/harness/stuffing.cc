#include "harness/stuffing.h"

#include <memory>
#include <vector>

namespace mbp {

uint8_t* StuffingBuffer(size_t index, size_t bytes) {
  static std::vector<std::vector<uint8_t>> pool;
  if (pool.size() <= index) pool.resize(index + 1);
  if (pool[index].size() != bytes) {
    std::vector<uint8_t>().swap(pool[index]);  // release the old size first: bounds the peak
    pool[index].assign(bytes, 0);
  }
  return pool[index].data();
}

}  // namespace mbp
