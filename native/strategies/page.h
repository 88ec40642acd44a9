// One anonymous page for the page-table tricks (mprotect, madvise and the untouched control).
#pragma once
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <vector>

#include "strategy.h"

namespace mbp {

class Page {
 public:
  ~Page() {
    if (addr_ != MAP_FAILED) munmap(addr_, size_);
  }
  // Maps the page; `touch` writes it (so a PTE exists), `lock` mlocks it (so it stays present).
  int Map(bool touch, bool lock, std::vector<Note>& notes) {
    size_ = size_t(sysconf(_SC_PAGESIZE));
    addr_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (addr_ == MAP_FAILED) return errno;
    if (touch) Touch();
    if (lock && mlock(addr_, size_) != 0) {
      const char* why = errno == EPERM ? "EPERM" : errno == ENOMEM ? "ENOMEM" : "error";
      notes.push_back({"mlock-refused", std::string("mlock refused (") + why +
                                            "): the page is not locked and could be swapped out, and a page that is "
                                            "not present gets no shootdown"});
    }
    return 0;
  }
  // Prepare() of a page strategy: map (and touch, lock) the page, or say that mmap failed.
  PrepareResult Prepare(bool touch, bool lock) {
    PrepareResult r;
    r.err = Map(touch, lock, r.notes);
    if (r.err) r.what = "mmap";
    return r;
  }
  // A store only, never a load first: a read fault would map the shared zero page and the write
  // after it would fault again (two TLB flushes per call instead of one).
  void Touch() { static_cast<volatile char*>(addr_)[0] = char(++writes_); }
  int Protect(int prot) { return mprotect(addr_, size_, prot) == 0 ? 0 : errno; }
  int DontNeed() { return madvise(addr_, size_, MADV_DONTNEED) == 0 ? 0 : errno; }

 private:
  void* addr_ = MAP_FAILED;
  size_t size_ = 0;
  unsigned writes_ = 0;
};

}  // namespace mbp
