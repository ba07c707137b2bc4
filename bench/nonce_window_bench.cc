// The nonce replay window at the sizes docs/semantics.md states: how long Check takes for a new
// nonce of one AccessKey that already holds N pairs (spread over the 15 minutes of a window, as
// steady traffic leaves them), and what the pairs cost in memory (bytes per pair, and the
// process's resident memory after filling).

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <string>

#include <benchmark/benchmark.h>

#include "auth/nonce_window.h"

namespace {

using sag::auth::NonceUse;
using sag::auth::NonceWindow;

constexpr int64_t kNow = 1'700'000'000'000;
constexpr int64_t kWindowMs = 15 * 60 * 1000;

// Resident memory of this process, MiB.
double ResidentMiB() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0;
  long resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * 4096 / (1 << 20);
}

NonceUse Use(const std::string& nonce, int64_t timestamp_ms) {
  return NonceUse{.access_key_id = "LTAIbench000000000000001",
                  .nonce = nonce,
                  .timestamp_ms = timestamp_ms,
                  .valid_until_ms = timestamp_ms + kWindowMs,
                  .changes_state = false};
}

void BM_NewNonceOfAKeyHolding(benchmark::State& state) {
  const auto held = static_cast<size_t>(state.range(0));
  const double rss_before = ResidentMiB();
  NonceWindow window;  // the default bounds: 20M per key, 40M in all
  for (size_t i = 0; i < held; ++i) {
    // Timestamps over the last 15 minutes, as a steady rate leaves them.
    const int64_t ts = kNow - static_cast<int64_t>(i % 900) * 1000;
    window.Check(Use("held-" + std::to_string(i), ts), kNow);
  }
  const double rss_filled = ResidentMiB();
  int64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(window.Check(Use("new-" + std::to_string(n++), kNow), kNow));
  }
  state.SetItemsProcessed(n);
  state.counters["pairs"] = static_cast<double>(window.size());
  state.counters["bytes_per_pair"] =
      static_cast<double>(window.memory_bytes()) / static_cast<double>(window.size());
  state.counters["rss_growth_MiB"] = rss_filled - rss_before;
}
BENCHMARK(BM_NewNonceOfAKeyHolding)
    ->Arg(0)
    ->Arg(1'000'000)
    ->Arg(18'000'000)
    ->Unit(benchmark::kMicrosecond)
    ->Iterations(1'000'000);

}  // namespace

BENCHMARK_MAIN();
