// mbp-measure: runs one command inside the test guest and writes one JSON line about it to the
// results channel (the guest's second serial port). Static, so that it needs nothing from the
// guest's libraries; compiled on the host for x86-64 and for aarch64.
//
//   mbp-measure ID RESULTS TIMEOUT_MS SIGINT_MS STDOUT_FILE -- COMMAND ARG...
//
// Why a helper and not the shell: busybox `time` gives no peak RSS, and the probe's own figures
// cannot be trusted when the probe is what crashes. wait4() returns the child's rusage, whose
// ru_maxrss (KB) is the largest resident set of the child and of every descendant it reaped.
// The command runs in its own process group; SIGINT_MS > 0 sends SIGINT to that group after so
// many milliseconds, as a terminal's Ctrl-C does. Every wait has a deadline: at TIMEOUT_MS the
// group gets SIGKILL and the line says timedOut. The command's stdout goes to STDOUT_FILE, whose
// contents travel in the JSON line ("stdout"); its stderr stays the console (a terminal).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

// A growable buffer for the JSON line, so that it goes out in one piece.
static char* buf;
static size_t len, cap;
static void put(const char* s, size_t n) {
  if (len + n + 1 > cap) {
    cap = (len + n + 1) * 2;
    buf = realloc(buf, cap);
    if (!buf) {
      perror("mbp-measure: realloc");
      exit(99);
    }
  }
  memcpy(buf + len, s, n);
  len += n;
}
static void puts_(const char* s) { put(s, strlen(s)); }
static void put_json_string(const char* s, size_t n) {
  put("\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    char e[8];
    if (c == '"' || c == '\\') {
      e[0] = '\\';
      e[1] = (char)c;
      put(e, 2);
    } else if (c < 0x20) {
      snprintf(e, sizeof e, "\\u%04x", c);
      put(e, 6);
    } else put((const char*)&c, 1);
  }
  put("\"", 1);
}

static char* slurp(const char* path, size_t* n) {
  *n = 0;
  int fd = open(path, O_RDONLY);
  if (fd < 0) return NULL;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return NULL;
  }
  char* d = malloc((size_t)st.st_size + 1);
  ssize_t r;
  while (d && (r = read(fd, d + *n, (size_t)st.st_size - *n)) > 0) *n += (size_t)r;
  close(fd);
  return d;
}

int main(int argc, char** argv) {
  if (argc < 8 || strcmp(argv[6], "--") != 0) {
    fprintf(stderr, "usage: mbp-measure ID RESULTS TIMEOUT_MS SIGINT_MS STDOUT_FILE -- COMMAND ARG...\n");
    return 2;
  }
  const char *id = argv[1], *results = argv[2], *out = argv[5];
  long long timeout_ms = atoll(argv[3]), sigint_ms = atoll(argv[4]);
  long long t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) {
    perror("mbp-measure: fork");
    return 99;
  }
  if (pid == 0) {
    setpgid(0, 0);
    int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || dup2(fd, 1) < 0) {
      perror("mbp-measure: stdout file");
      _exit(127);
    }
    execv(argv[7], argv + 7);
    perror("mbp-measure: exec");
    _exit(127);
  }
  setpgid(pid, pid);  // both sides, so that the group exists before any signal is sent
  int status = 0, timed_out = 0;
  long long sigint_at = -1;
  struct rusage ru;
  memset(&ru, 0, sizeof ru);
  for (;;) {
    pid_t w = wait4(pid, &status, WNOHANG, &ru);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) {
      perror("mbp-measure: wait4");
      return 99;
    }
    long long el = now_ms() - t0;
    if (sigint_ms > 0 && sigint_at < 0 && el >= sigint_ms) {
      kill(-pid, SIGINT);
      sigint_at = el;
    }
    if (el >= timeout_ms && !timed_out) {
      kill(-pid, SIGKILL);
      timed_out = 1;
    }
    struct timespec nap = {0, 5 * 1000 * 1000};
    nanosleep(&nap, NULL);
  }
  long long wall = now_ms() - t0;
  // Anything the command left behind in its group (a forked child) must not outlive the record.
  kill(-pid, SIGKILL);

  char num[160];
  puts_("{\"id\":");
  put_json_string(id, strlen(id));
  if (WIFEXITED(status)) snprintf(num, sizeof num, ",\"exit\":%d,\"signal\":null", WEXITSTATUS(status));
  else snprintf(num, sizeof num, ",\"exit\":null,\"signal\":%d", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
  puts_(num);
  snprintf(num, sizeof num, ",\"wallMs\":%lld,\"peakRssKb\":%ld,\"timedOut\":%s,\"sigintAtMs\":%lld,\"stdout\":", wall,
           ru.ru_maxrss, timed_out ? "true" : "false", sigint_at);
  puts_(num);
  size_t n;
  char* d = slurp(out, &n);
  if (d) put_json_string(d, n);
  else puts_("null");
  puts_("}\n");

  int fd = open(results, O_WRONLY | O_APPEND | O_NOCTTY);
  if (fd < 0) {
    perror("mbp-measure: results channel");
    return 99;
  }
  for (size_t off = 0; off < len;) {
    ssize_t w = write(fd, buf + off, len - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      perror("mbp-measure: write");
      return 99;
    }
    off += (size_t)w;
  }
  close(fd);
  return 0;
}
