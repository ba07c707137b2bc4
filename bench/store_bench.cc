// Throughput of the SQLite store on a temporary file: durable CreateInstance calls per second (each
// one a committed, fsynced transaction) and GetInstance calls per second, single- and
// multi-threaded.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include "store/sqlite/sqlite_store.h"

namespace {

using sag::store::InstanceRecord;
using sag::store::SqliteStore;

constexpr char kAccount[] = "1000000000000001";
constexpr char kRegion[] = "cn-shanghai";
constexpr int kPreloadedInstances = 1000;

// A scratch directory for this run, removed at exit.
const std::filesystem::path& ScratchDir() {
  struct Dir {
    Dir() {
      std::string templ =
          (std::filesystem::temp_directory_path() / "sag_store_bench.XXXXXX").string();
      if (mkdtemp(templ.data()) == nullptr) {
        std::perror("mkdtemp");
        std::abort();
      }
      path = templ;
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
    std::filesystem::path path;
  };
  static const Dir dir;
  return dir.path;
}

std::unique_ptr<SqliteStore> OpenStore(const std::string& name) {
  auto store = SqliteStore::Open((ScratchDir() / name).string());
  if (!store) {
    std::fprintf(stderr, "SqliteStore::Open: %s\n", store.error().c_str());
    std::abort();
  }
  return std::move(store).value();
}

InstanceRecord MakeInstance(int64_t n) {
  InstanceRecord r;
  r.id = "sag-" + std::to_string(n);
  r.account_id = kAccount;
  r.region_id = kRegion;
  r.name = "bench-" + std::to_string(n);
  r.description = "benchmark instance";
  r.status = "Active";
  r.instance_type = "hardware";
  r.hardware_spec = "sag-100wm";
  r.ha_type = "no_backup";
  r.max_bandwidth = 50;
  r.cidr_block = "192.168.0.0/24";
  r.routing_strategy = "static";
  r.security_lock_threshold = 600;
  r.charge_type = "PREPAY";
  r.period_months = 12;
  r.create_ms = 1700000000000 + n;
  r.end_ms = r.create_ms + 1000;
  return r;
}

// Durable inserts: every iteration is one committed transaction (synchronous=FULL).
void BM_CreateInstance(benchmark::State& state) {
  static int run = 0;
  auto store = OpenStore("create-" + std::to_string(run++) + ".sqlite");
  int64_t n = 0;
  for (auto _ : state) {
    if (!store->CreateInstance(MakeInstance(n++))) {
      state.SkipWithError("CreateInstance failed");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CreateInstance)->UseRealTime();

// Point reads by (account, region, id) over a preloaded table, shared by all benchmark threads.
SqliteStore& PreloadedStore() {
  ScratchDir();  // constructed first so that it is removed after the store below is closed
  static std::once_flag once;
  static std::unique_ptr<SqliteStore> store;
  std::call_once(once, [] {
    store = OpenStore("get.sqlite");
    for (int64_t n = 0; n < kPreloadedInstances; ++n) {
      if (!store->CreateInstance(MakeInstance(n))) {
        std::fprintf(stderr, "preloading failed\n");
        std::abort();
      }
    }
  });
  return *store;
}

void BM_GetInstance(benchmark::State& state) {
  SqliteStore& store = PreloadedStore();
  int64_t n = state.thread_index();
  for (auto _ : state) {
    const std::string id = "sag-" + std::to_string(n % kPreloadedInstances);
    auto r = store.GetInstance(kAccount, kRegion, id);
    if (!r) {
      state.SkipWithError("GetInstance failed");
      break;
    }
    benchmark::DoNotOptimize(r);
    n += 7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GetInstance)->ThreadRange(1, 4)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
