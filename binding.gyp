{
  "targets": [
    {
      "target_name": "membarrier_probe",
      "sources": [
        "native/addon.cc",
        "native/inspect/cpuid.cc",
        "native/inspect/affinity.cc",
        "native/inspect/child.cc",
        "native/inspect/field_child.cc",
        "native/inspect/membarrier_child.cc",
        "native/inspect/memlock.cc",
        "native/inspect/registration_cost.cc",
        "native/inspect/registration_order.cc",
        "native/engine/engine_addon.cc",
        "native/engine/options.cc",
        "native/engine/worker.cc",
        "native/engine/contention_addon.cc",
        "native/registry.cc",
        "native/harness/affinity.cc",
        "native/harness/timebase.cc",
        "native/harness/stuffing.cc",
        "native/harness/watchdog.cc",
        "native/harness/sb_litmus.cc",
        "native/harness/interruption.cc",
        "native/harness/reader_cost.cc",
        "native/harness/contention.cc",
        "native/strategies/membarrier_private_expedited.cc",
        "native/strategies/membarrier_private_expedited_sync_core.cc",
        "native/strategies/membarrier_global_expedited.cc",
        "native/strategies/membarrier_global.cc",
        "native/strategies/mprotect.cc",
        "native/strategies/madvise_dontneed.cc",
        "native/strategies/signals.cc",
        "native/strategies/symmetric_fence.cc",
        "native/controls/no_barrier.cc",
        "native/controls/writer_fence_only.cc",
        "native/controls/null_syscall.cc",
        "native/controls/mprotect_untouched.cc",
        "native/controls/delay_matched.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fno-exceptions", "-pthread"],
      "ldflags": ["-pthread"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
