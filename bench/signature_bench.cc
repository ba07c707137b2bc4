// Cost of request signing on the hot path: V1 sign + verify, V3 canonicalisation and verify.
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "api/signing/percent_encoding.h"
#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"

namespace {

using sag::signing::ParamList;

// A typical DescribeSmartAccessGateways call as a classic SDK sends it.
ParamList TypicalBusinessParams() {
  return {{"RegionId", "cn-shanghai"},
          {"SmartAGIds.1", "sag-0123456789abcdef"},
          {"SmartAGIds.2", "sag-fedcba9876543210"},
          {"PageNumber", "1"},
          {"PageSize", "50"},
          {"Name", "branch office 中文"},
          {"SignatureType", ""}};
}

void BM_V1SignAndVerify(benchmark::State& state) {
  sag::signing::V1SignInput input;
  input.access_key_id = "LTAI5tExampleAccessKey";
  input.access_key_secret = "ExampleAccessKeySecret0123456789";
  input.action = "DescribeSmartAccessGateways";
  input.timestamp = "2024-01-01T00:00:00Z";
  input.nonce = "0123456789abcdef0123456789abcdef";
  input.params = TypicalBusinessParams();
  for (auto _ : state) {
    const ParamList signed_params = sag::signing::SignV1(input);
    const std::string expected = sag::signing::V1Signature(
        input.access_key_secret, sag::signing::V1StringToSign("POST", signed_params));
    benchmark::DoNotOptimize(expected == signed_params.back().second);
  }
}
BENCHMARK(BM_V1SignAndVerify);

void BM_V1VerifyFromWire(benchmark::State& state) {
  sag::signing::V1SignInput input;
  input.access_key_id = "LTAI5tExampleAccessKey";
  input.access_key_secret = "ExampleAccessKeySecret0123456789";
  input.action = "DescribeSmartAccessGateways";
  input.params = TypicalBusinessParams();
  const std::string query = sag::signing::BuildUrlEncoded(sag::signing::SignV1(input));
  for (auto _ : state) {
    const auto params = sag::signing::ParseUrlEncoded(query);
    const std::string signature = sag::signing::V1Signature(
        input.access_key_secret, sag::signing::V1StringToSign("POST", *params));
    benchmark::DoNotOptimize(signature);
  }
}
BENCHMARK(BM_V1VerifyFromWire);

sag::signing::V3RequestView TypicalV3Request(std::vector<std::string>* signed_headers) {
  sag::signing::V3SignInput input;
  input.host = "smartag.cn-shanghai.aliyuncs.com";
  input.access_key_id = "LTAI5tExampleAccessKey";
  input.access_key_secret = "ExampleAccessKeySecret0123456789";
  input.action = "DescribeSmartAccessGateways";
  input.query = TypicalBusinessParams();
  const auto headers = sag::signing::SignV3(input);
  sag::signing::V3RequestView request;
  request.method = "POST";
  request.query = input.query;
  for (const auto& [name, value] : headers) {
    if (name != "authorization") request.headers.emplace(name, value);
  }
  request.headers.emplace("user-agent", "AlibabaCloud (linux; x64) Node.js/v20 Core/1.0 TeaDSL/1");
  request.headers.emplace("accept", "application/json");
  request.payload_sha256_hex = headers.at("x-acs-content-sha256");
  *signed_headers = sag::signing::ParseV3Authorization(headers.at("authorization"))->signed_headers;
  return request;
}

void BM_V3CanonicalRequest(benchmark::State& state) {
  std::vector<std::string> signed_headers;
  const auto request = TypicalV3Request(&signed_headers);
  for (auto _ : state) {
    benchmark::DoNotOptimize(sag::signing::V3CanonicalRequest(request, signed_headers));
  }
}
BENCHMARK(BM_V3CanonicalRequest);

void BM_V3Verify(benchmark::State& state) {
  std::vector<std::string> signed_headers;
  const auto request = TypicalV3Request(&signed_headers);
  for (auto _ : state) {
    const std::string canonical = sag::signing::V3CanonicalRequest(request, signed_headers);
    benchmark::DoNotOptimize(sag::signing::V3Signature("ExampleAccessKeySecret0123456789",
                                                       sag::signing::V3StringToSign(canonical)));
  }
}
BENCHMARK(BM_V3Verify);

}  // namespace

BENCHMARK_MAIN();
