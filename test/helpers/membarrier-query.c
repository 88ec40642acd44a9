// membarrier-query: prints "<QUERY result> <errno> <REGISTER_PRIVATE_EXPEDITED result>", read
// straight from the kernel with no code of the project in between, for tests to compare against.
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  long q = syscall(__NR_membarrier, 0 /* QUERY */, 0, 0);
  int qerr = q < 0 ? errno : 0;
  long r = syscall(__NR_membarrier, 16 /* REGISTER_PRIVATE_EXPEDITED */, 0, 0);
  printf("%ld %d %ld\n", q, qerr, r);
  return 0;
}
