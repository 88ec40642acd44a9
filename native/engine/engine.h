// Registers the engine's functions on the addon's exports (see engine_addon.cc).
#pragma once
#include <napi.h>
namespace mbp {
void RegisterEngine(Napi::Env env, Napi::Object exports);
}
