// Old glibc symbol versions for the prebuilt binaries (scripts/prebuild.mjs), so that a .node built
// on Debian 12 (glibc 2.36, GCC 12) loads wherever the official Node 20 binaries run, back to
// glibc 2.28 (RHEL 8, Debian 10, Ubuntu 20.04). Not used by the ordinary build (build-native.mjs),
// which only ever runs on the machine that built it.
//
// Why it is needed: glibc 2.34 moved libpthread into libc and gave the moved functions a new
// default version (pthread_kill@@GLIBC_2.34, pthread_sigmask@@GLIBC_2.32, ...); a program linked
// against 2.34+ binds to those, and the dynamic loader of an older glibc refuses to load it. Every
// one of these functions still exists under its original version, with the same ABI, so binding to
// the old version costs nothing. The list below is what readelf found the binary importing, not a
// guess; scripts/prebuild.mjs re-checks every build and names any symbol that slips through.
//
// Two halves:
// 1. Forced into every source with `-include`: `.symver` makes the addon's own references bind to
//    the old version (x86_64's first glibc version is 2.2.5, aarch64's is 2.17).
// 2. With MBP_GLIBC_COMPAT_SHIMS defined, compiled once more as a translation unit of its own (so
//    binding.gyp's source list stays the same): the targets of `-Wl,--wrap=SYMBOL` for references
//    that come from the statically linked libstdc++.a and libgcc_eh.a. `.symver` cannot reach those
//    (they are compiled already), `--wrap` can: it sends them to __wrap_SYMBOL, defined here.
#ifndef MBP_PLATFORM_GLIBC_COMPAT_H
#define MBP_PLATFORM_GLIBC_COMPAT_H

#if !defined(__linux__)
#error "glibc_compat.h is for Linux prebuilds only"
#endif

#if defined(__x86_64__)
#define MBP_GLIBC_OLD "GLIBC_2.2.5"
// pthread_setaffinity_np@GLIBC_2.3.3 took no cpusetsize; 2.3.4 is the current signature.
#define MBP_GLIBC_OLD_SETAFFINITY "GLIBC_2.3.4"
#elif defined(__aarch64__)
#define MBP_GLIBC_OLD "GLIBC_2.17"
#define MBP_GLIBC_OLD_SETAFFINITY "GLIBC_2.17"
#else
#error "glibc_compat.h knows the old symbol versions of x86_64 and aarch64 only"
#endif

#define MBP_SYMVER(sym, ver) __asm__(".symver " #sym ", " #sym "@" ver)
// Called by the addon itself (signals, affinity, the engine's threads).
MBP_SYMVER(pthread_kill, MBP_GLIBC_OLD);
MBP_SYMVER(pthread_sigmask, MBP_GLIBC_OLD);
MBP_SYMVER(pthread_setaffinity_np, MBP_GLIBC_OLD_SETAFFINITY);
// Called by libstdc++ (std::thread) and libgcc_eh (the unwinder's key and once); the shims below
// call them from this header's own translation unit, where these lines make the calls bind old.
MBP_SYMVER(pthread_create, MBP_GLIBC_OLD);
MBP_SYMVER(pthread_join, MBP_GLIBC_OLD);
MBP_SYMVER(pthread_detach, MBP_GLIBC_OLD);
MBP_SYMVER(pthread_once, MBP_GLIBC_OLD);
MBP_SYMVER(__pthread_key_create, MBP_GLIBC_OLD);
#undef MBP_SYMVER

#ifdef MBP_GLIBC_COMPAT_SHIMS
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

// Not declared by any public header; libgcc's unwinder calls it (glibc exports it for that).
extern "C" int __pthread_key_create(pthread_key_t* key, void (*destructor)(void*));

extern "C" {

// Hidden: these exist for the link only and must not be exported from the .node.
#define MBP_SHIM __attribute__((visibility("hidden")))

MBP_SHIM int __wrap_pthread_create(pthread_t* t, const pthread_attr_t* attr, void* (*fn)(void*), void* arg) {
  return pthread_create(t, attr, fn, arg);
}
MBP_SHIM int __wrap_pthread_join(pthread_t t, void** ret) { return pthread_join(t, ret); }
MBP_SHIM int __wrap_pthread_detach(pthread_t t) { return pthread_detach(t); }
MBP_SHIM int __wrap_pthread_once(pthread_once_t* once, void (*fn)(void)) { return pthread_once(once, fn); }
MBP_SHIM int __wrap___pthread_key_create(pthread_key_t* key, void (*destructor)(void*)) {
  return __pthread_key_create(key, destructor);
}

// __libc_single_threaded (2.32) has no older version. libstdc++ reads it to skip atomic reference
// counting while a process has one thread; 0 means "maybe several threads", always correct (the
// addon runs inside Node, which has several threads anyway), merely never taking the shortcut.
MBP_SHIM char __wrap___libc_single_threaded = 0;

// arc4random (2.36) is referenced by std::random_device, which libstdc++.a's COW string
// instantiations drag in; the addon never uses it. getrandom (2.25) gives the same bytes. Like
// glibc's own arc4random, it aborts rather than return something predictable.
MBP_SHIM uint32_t __wrap_arc4random(void) {
  uint32_t v;
  for (;;) {
    ssize_t n = getrandom(&v, sizeof v, 0);
    if (n == ssize_t(sizeof v)) return v;
    if (n < 0 && errno == EINTR) continue;
    abort();
  }
}

// _dl_find_object (2.35) is how GCC 12's unwinder finds the .eh_frame_hdr covering a PC. Older
// unwinders walked dl_iterate_phdr (2.2.5) instead, which is what this does: the loaded object
// with a PT_LOAD segment containing pc, its mapping and its PT_GNU_EH_FRAME. The unwinder reads
// dlfo_eh_frame only (x86_64 and aarch64 have no dlfo_eh_dbase). It runs only while an exception
// from libstdc++ unwinds, on the way to std::terminate in this -fno-exceptions addon.
struct MbpFindObject {
  uintptr_t pc;
  struct dl_find_object* out;
  bool found;
};

static int MbpFindObjectPhdr(struct dl_phdr_info* info, size_t, void* data) {
  MbpFindObject* ctx = static_cast<MbpFindObject*>(data);
  uintptr_t lo = UINTPTR_MAX, hi = 0;
  void* eh_frame = nullptr;
  bool inside = false;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr) & ph = info->dlpi_phdr[i];
    uintptr_t start = info->dlpi_addr + ph.p_vaddr;
    if (ph.p_type == PT_LOAD) {
      if (start < lo) lo = start;
      if (start + ph.p_memsz > hi) hi = start + ph.p_memsz;
      if (ctx->pc >= start && ctx->pc < start + ph.p_memsz) inside = true;
    } else if (ph.p_type == PT_GNU_EH_FRAME) {
      eh_frame = reinterpret_cast<void*>(start);
    }
  }
  if (!inside) return 0;
  memset(ctx->out, 0, sizeof *ctx->out);
  ctx->out->dlfo_map_start = reinterpret_cast<void*>(lo);
  ctx->out->dlfo_map_end = reinterpret_cast<void*>(hi);
  ctx->out->dlfo_eh_frame = eh_frame;
  ctx->found = true;
  return 1;
}

MBP_SHIM int __wrap__dl_find_object(void* pc, struct dl_find_object* out) {
  MbpFindObject ctx = {reinterpret_cast<uintptr_t>(pc), out, false};
  dl_iterate_phdr(MbpFindObjectPhdr, &ctx);
  return ctx.found ? 0 : -1;
}

#undef MBP_SHIM
}  // extern "C"

#endif  // MBP_GLIBC_COMPAT_SHIMS
#endif  // MBP_PLATFORM_GLIBC_COMPAT_H
