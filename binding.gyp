{
  "targets": [
    {
      "target_name": "membarrier_probe",
      "sources": [
        "native/addon.cc",
        "native/inspect/cpuid.cc",
        "native/inspect/affinity.cc",
        "native/inspect/membarrier_child.cc",
        "native/inspect/memlock.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NODE_ADDON_API_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
