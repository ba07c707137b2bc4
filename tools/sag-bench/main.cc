// sag-bench: load generator for the smartag / operator API . Pre-signs every request
// (unique SignatureNonce each) before the timed phase, then drives --connections keep-alive
// connections, one thread each, as fast as the server answers, for --duration seconds or until
// the pre-signed requests run out, and reports throughput and latency percentiles.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <latch>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include "client/api_client.h"
#include "client/cli_args.h"
#include "client/http_client.h"

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kExitOk = 0;
constexpr int kExitErrors = 1;
constexpr int kExitUsage = 2;
// A connection whose requests fail this many times in a row (transport errors) gives up.
constexpr int kMaxConsecutiveTransportErrors = 3;
constexpr size_t kMaxErrorBody = 2000;

constexpr const char* kFooter = R"(
Every request is signed before the timed phase starts (V1: POST form body, fresh Timestamp and
a unique SignatureNonce each; V3: unique x-acs-signature-nonce each), so signing cost is not
measured. Without --requests, connections x 20000 requests are prepared, fewer if they would
not fit in --max-presign-mb. The run stops after --duration seconds or when the prepared
requests are used up, whichever comes first; every network step is bounded by --timeout-ms.
Signatures expire 15 minutes after signing, hence the 600 s limit on --duration.

Report: requests answered, non-2xx answers (with the first error body), transport errors,
req/s over the timed phase, and latency p50/p90/p99/max in milliseconds of the answered requests;
--json prints the same as one JSON line instead.
Exit status: 0 when every request got a 2xx answer; 1 when some did not; 2 on a usage error or
when a connection cannot be opened before the run.

Example:
  sag-bench --endpoint http://127.0.0.1:8086 --access-key-id ID --access-key-secret S \
      --action DescribeSmartAccessGatewayAttribute --param RegionId=cn-hangzhou \
      --param SmartAGId=sag-xxx --connections 16 --duration 10)";

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

// The pre-signed requests. V1 requests differ only in their body, so they share one head.
struct RequestPool {
  bool shared_head = false;
  sag::client::PreparedRequest head;               // method, target, headers when shared
  std::vector<std::string> bodies;                 // when shared_head
  std::vector<sag::client::PreparedRequest> full;  // otherwise

  size_t size() const { return shared_head ? bodies.size() : full.size(); }
};

// Signs count requests on several threads.
RequestPool PreSign(const sag::client::Endpoint& endpoint,
                    const sag::client::Credentials& credentials,
                    const sag::client::ApiRequest& request, size_t count) {
  RequestPool pool;
  pool.shared_head = request.signature == sag::client::SignatureKind::kV1;
  pool.head = sag::client::PrepareApiRequest(endpoint, credentials, request);
  pool.head.body.clear();
  if (pool.shared_head) {
    pool.bodies.resize(count);
  } else {
    pool.full.resize(count);
  }
  const size_t threads =
      std::max<size_t>(1, std::min<size_t>(std::thread::hardware_concurrency(), count / 1000 + 1));
  std::vector<std::thread> workers;
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (size_t i = t; i < count; i += threads) {
        auto prepared = sag::client::PrepareApiRequest(endpoint, credentials, request);
        if (pool.shared_head) {
          pool.bodies[i] = std::move(prepared.body);
        } else {
          pool.full[i] = std::move(prepared);
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  return pool;
}

// What one connection's thread measured.
struct WorkerStats {
  std::vector<uint32_t> latencies_us;  // answered requests only
  uint64_t non_2xx = 0;
  uint64_t transport_errors = 0;
  bool gave_up = false;
};

// The first failure seen by any worker.
struct FirstError {
  std::mutex mu;
  bool set = false;
  std::string text;

  void Record(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu);
    if (set) return;
    set = true;
    text = what.size() > kMaxErrorBody ? what.substr(0, kMaxErrorBody) + "..." : what;
  }
};

double Percentile(const std::vector<uint32_t>& sorted_us, double p) {
  if (sorted_us.empty()) return 0;
  const double rank = std::ceil(p * static_cast<double>(sorted_us.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return static_cast<double>(sorted_us[std::min(index, sorted_us.size() - 1)]) / 1000.0;
}

std::string JsonString(const std::string& text) {
  return boost::json::serialize(boost::json::string(text));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sag-bench: load generator for the OpenSAG API (pre-signed requests, keep-alive)",
               "sag-bench"};
  app.footer(kFooter);

  std::string endpoint_text = EnvOr("SAG_ENDPOINT", "http://127.0.0.1:8086");
  sag::client::Credentials credentials;
  credentials.access_key_id = EnvOr("SAG_ACCESS_KEY_ID", "");
  credentials.access_key_secret = EnvOr("SAG_ACCESS_KEY_SECRET", "");
  std::string ca_file = EnvOr("SAG_CA_FILE", "");
  bool insecure = false;
  std::string action;
  std::string api_version = std::string(sag::client::kSmartagVersion);
  std::vector<std::string> param_texts;
  size_t connections = 16;
  double duration_s = 10;
  size_t requests = 0;
  std::string signature = "v1";
  bool json = false;
  int64_t timeout_ms = 10000;
  size_t max_presign_mb = 1024;

  app.add_option(
      "--endpoint", endpoint_text,
      "server URL, http[s]://HOST:PORT (default $SAG_ENDPOINT or http://127.0.0.1:8086)");
  app.add_option("--ca-file", ca_file,
                 "PEM CA certificates to trust for https:// (default $SAG_CA_FILE, else the "
                 "system's store)");
  app.add_flag("--insecure", insecure,
               "https:// without verifying the server's certificate: for testing only");
  app.add_option("--access-key-id", credentials.access_key_id,
                 "AccessKey ID (default $SAG_ACCESS_KEY_ID)");
  app.add_option("--access-key-secret", credentials.access_key_secret,
                 "AccessKey secret (default $SAG_ACCESS_KEY_SECRET)");
  app.add_option("--action", action, "API action to call")->required();
  app.add_option("--api-version", api_version,
                 "API Version (default 2018-03-13; 2026-11-01 for the operator API)");
  app.add_option("--param", param_texts, "Name=value business parameter (repeatable)");
  app.add_option("--connections", connections, "keep-alive connections, one thread each")
      ->check(CLI::Range(1, 1024));
  app.add_option("--duration", duration_s, "seconds to run (at most 600)")
      ->check(CLI::Range(0.1, 600.0));
  app.add_option("--requests", requests,
                 "requests to pre-sign (default connections x 20000, capped by memory)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(100'000'000)));
  app.add_option("--signature", signature, "signature version: v1 (default) or v3")
      ->check(CLI::IsMember({"v1", "v3"}, CLI::ignore_case));
  app.add_flag("--json", json, "print the report as one JSON line");
  app.add_option("--timeout-ms", timeout_ms, "bound on each connect and request (default 10000)")
      ->check(CLI::Range(static_cast<int64_t>(1), static_cast<int64_t>(600'000)));
  app.add_option("--max-presign-mb", max_presign_mb,
                 "memory budget for pre-signed requests in MiB (default 1024)")
      ->check(CLI::Range(static_cast<size_t>(1), static_cast<size_t>(1'000'000)));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }

  auto endpoint = sag::client::ParseEndpoint(endpoint_text);
  if (!endpoint) {
    std::cerr << "sag-bench: " << endpoint.error() << "\n";
    return kExitUsage;
  }
  endpoint->ca_file = ca_file;
  endpoint->insecure = insecure;
  if (credentials.access_key_id.empty() || credentials.access_key_secret.empty()) {
    std::cerr << "sag-bench: no AccessKey: give --access-key-id and --access-key-secret, or set "
                 "SAG_ACCESS_KEY_ID and SAG_ACCESS_KEY_SECRET\n";
    return kExitUsage;
  }
  sag::client::ApiRequest request;
  request.version = api_version;
  request.action = action;
  request.signature = (signature == "v3" || signature == "V3") ? sag::client::SignatureKind::kV3
                                                               : sag::client::SignatureKind::kV1;
  for (const auto& text : param_texts) {
    auto kv = sag::client::ParseKeyValue(text);
    if (!kv) {
      std::cerr << "sag-bench: --param: " << kv.error() << "\n";
      return kExitUsage;
    }
    request.params.push_back(std::move(*kv));
  }

  // 1. Pre-sign, within the memory budget.
  const bool requests_given = requests > 0;
  if (!requests_given) requests = connections * 20000;
  {
    const auto sample = sag::client::PrepareApiRequest(*endpoint, credentials, request);
    size_t per_request = sample.body.size() + 64;
    if (request.signature != sag::client::SignatureKind::kV1) {
      per_request += sample.target.size() + 64;
      for (const auto& [name, value] : sample.headers)
        per_request += name.size() + value.size() + 96;
    }
    const size_t cap = std::max<size_t>(1, max_presign_mb * 1024 * 1024 / per_request);
    if (requests > cap) {
      if (requests_given) {
        std::cerr << "sag-bench: --requests " << requests << " exceeds the " << max_presign_mb
                  << " MiB pre-sign budget; using " << cap << "\n";
      }
      requests = cap;
    }
  }
  const auto sign_start = Clock::now();
  const RequestPool pool = PreSign(*endpoint, credentials, request, requests);
  const double sign_s = std::chrono::duration<double>(Clock::now() - sign_start).count();

  // 2. Open every connection before the clock starts.
  std::vector<std::unique_ptr<sag::client::HttpConnection>> conns;
  for (size_t i = 0; i < connections; ++i) {
    conns.push_back(std::make_unique<sag::client::HttpConnection>(
        *endpoint, std::chrono::milliseconds(timeout_ms)));
    if (auto ok = conns.back()->Connect(); !ok) {
      std::cerr << "sag-bench: " << ok.error() << "\n";
      return kExitUsage;
    }
  }

  // 3. The timed phase.
  std::atomic<size_t> next{0};
  std::atomic<bool> ran_out{false};
  std::latch start(1);
  Clock::time_point deadline;
  FirstError first_error;
  std::vector<WorkerStats> stats(connections);
  for (auto& s : stats) s.latencies_us.reserve(std::min<size_t>(requests, 1 << 20) / connections);
  std::vector<std::thread> threads;
  for (size_t c = 0; c < connections; ++c) {
    threads.emplace_back([&, c] {
      sag::client::HttpConnection& conn = *conns[c];
      WorkerStats& st = stats[c];
      start.wait();
      int consecutive_failures = 0;
      while (Clock::now() < deadline) {
        const size_t i = next.fetch_add(1, std::memory_order_relaxed);
        if (i >= pool.size()) {
          ran_out = true;
          break;
        }
        const sag::client::PreparedRequest& r = pool.shared_head ? pool.head : pool.full[i];
        const std::string& body = pool.shared_head ? pool.bodies[i] : r.body;
        const auto t0 = Clock::now();
        auto result = conn.Send(r.method, r.target, r.headers, body);
        const auto t1 = Clock::now();
        if (!result) {
          ++st.transport_errors;
          first_error.Record("transport: " + result.error());
          if (++consecutive_failures >= kMaxConsecutiveTransportErrors) {
            st.gave_up = true;
            break;
          }
          continue;
        }
        consecutive_failures = 0;
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count();
        st.latencies_us.push_back(static_cast<uint32_t>(std::min<int64_t>(us, UINT32_MAX)));
        if (result->status < 200 || result->status >= 300) {
          ++st.non_2xx;
          first_error.Record("HTTP " + std::to_string(result->status) + " " + result->body);
        }
      }
    });
  }
  const auto run_start = Clock::now();
  deadline = run_start +
             std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(duration_s));
  start.count_down();
  for (auto& t : threads) t.join();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - run_start).count();
  conns.clear();

  // 4. Report.
  std::vector<uint32_t> all;
  uint64_t non_2xx = 0;
  uint64_t transport_errors = 0;
  size_t gave_up = 0;
  for (auto& s : stats) {
    all.insert(all.end(), s.latencies_us.begin(), s.latencies_us.end());
    non_2xx += s.non_2xx;
    transport_errors += s.transport_errors;
    if (s.gave_up) ++gave_up;
  }
  std::sort(all.begin(), all.end());
  const uint64_t answered = all.size();
  const double rps = elapsed_s > 0 ? static_cast<double>(answered) / elapsed_s : 0;
  const double p50 = Percentile(all, 0.50);
  const double p90 = Percentile(all, 0.90);
  const double p99 = Percentile(all, 0.99);
  const double max_ms = all.empty() ? 0 : static_cast<double>(all.back()) / 1000.0;
  const char* stop_reason = ran_out                  ? "requests exhausted"
                            : gave_up == connections ? "all connections failed"
                                                     : "duration reached";

  if (json) {
    char numbers[512];
    std::snprintf(numbers, sizeof(numbers),
                  "\"connections\":%zu,\"duration_s\":%.3f,\"elapsed_s\":%.3f,"
                  "\"presigned\":%zu,\"presign_s\":%.3f,\"requests\":%llu,\"non_2xx\":%llu,"
                  "\"transport_errors\":%llu,\"req_per_s\":%.1f,"
                  "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}",
                  connections, duration_s, elapsed_s, pool.size(), sign_s,
                  static_cast<unsigned long long>(answered),
                  static_cast<unsigned long long>(non_2xx),
                  static_cast<unsigned long long>(transport_errors), rps, p50, p90, p99, max_ms);
    std::cout << "{\"action\":" << JsonString(action)
              << ",\"endpoint\":" << JsonString(endpoint->Url())
              << ",\"signature\":" << JsonString(signature) << "," << numbers
              << ",\"stop\":" << JsonString(stop_reason) << ",\"first_error\":"
              << (first_error.set ? JsonString(first_error.text) : std::string("null")) << "}\n";
  } else {
    std::printf("sag-bench: %s against %s (signature %s)\n", action.c_str(),
                endpoint->Url().c_str(), signature.c_str());
    std::printf("  connections      %zu, duration %.1f s (ran %.2f s, %s)\n", connections,
                duration_s, elapsed_s, stop_reason);
    std::printf("  pre-signed       %zu requests in %.2f s\n", pool.size(), sign_s);
    std::printf("  requests         %llu answered, %llu non-2xx, %llu transport errors\n",
                static_cast<unsigned long long>(answered), static_cast<unsigned long long>(non_2xx),
                static_cast<unsigned long long>(transport_errors));
    std::printf("  throughput       %.1f req/s\n", rps);
    std::printf("  latency (ms)     p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n", p50, p90, p99,
                max_ms);
    if (first_error.set) std::printf("  first error      %s\n", first_error.text.c_str());
  }
  std::fflush(stdout);
  return non_2xx == 0 && transport_errors == 0 ? kExitOk : kExitErrors;
}
