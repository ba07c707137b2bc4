#include "api/gateway.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <variant>

#include "api/signing/percent_encoding.h"
#include "api/signing/signature_v1.h"
#include "api/signing/signature_v3.h"
#include "api/upload_file.h"
#include "common/crypto.h"
#include "common/ids.h"
#include "common/log.h"
#include "common/time_format.h"
#include "ops/artifacts.h"
#include "ops/call_checks.h"
#include "ops/parameter_text.h"
#include "ops/registry.h"
#include "ops/store_errors.h"

namespace sag::api {

using signing::ParamList;

// What the gateway learned about a call so far; the error renderer needs format and host. A
// suspended call keeps it (with its wait and account slot) until the device answers.
struct Gateway::CallState {
  std::string request_id;
  std::string action;
  std::string host_id = "smartag.aliyuncs.com";
  Format format = Format::kJson;
  std::optional<ops::Suspension> suspension;
  std::unique_ptr<SuspendedCalls::Slot> slot;
  // The request journal's entry, filled in as the steps learn about the call.
  ops::JournalEntry journal;
  int64_t fault_delay_ms = 0;  // a fault rule answered the call: send its answer this much later
  // What the call's record (api/call_observer.h) tells besides its answer.
  std::chrono::steady_clock::time_point start;
  std::string source_address;
  std::string api;
  bool known_action = false;
  std::string access_key_id;
  std::string account_id;
  std::string user_name;
  std::string resource_arn;
};

// What the steps before the operation established about a call.
struct Gateway::AuthorizedCall {
  const ops::OpSpec* op = nullptr;
  ops::Principal principal;
  ops::Params params;
  std::string region;
  bool is_form = false;  // the body is form parameters (already merged into params)
  bool v3 = false;
  // What the V3 string to sign was built from, besides the body's hash.
  std::string path;
  ParamList query;
  signing::V3Authorization v3_auth;
};

struct Gateway::UploadTicket {
  CallState state;
  HttpRequest header;  // the header-only request the call was authorized from
  AuthorizedCall call;
  std::string signed_sha256;  // lower-case hex, from x-acs-content-sha256
};

namespace {

constexpr std::string_view kFormUrlEncoded = "application/x-www-form-urlencoded";

// The signature-related values of a call, whichever signature version carried them.
struct SignedCall {
  bool v3 = false;
  std::string action;
  std::string version;
  std::string access_key_id;
  std::string signature;
  std::string nonce;
  std::string timestamp;
  signing::V3Authorization v3_auth;
};

Unexpected<ApiError> Fail(ApiErrorId id) { return MakeUnexpected(ApiError(id)); }

// The longest SignatureNonce accepted, in characters (SDKs send UUIDs or 32 hex digits).
constexpr size_t kMaxNonceCharacters = 128;

// False for the actions that only read (Describe*, List*, Get*, Lookup*): the durable window may
// record their nonces after answering, and the audit trail does not record them.
bool MayChangeState(std::string_view action) {
  return !action.starts_with("Describe") && !action.starts_with("List") &&
         !action.starts_with("Get") && !action.starts_with("Lookup");
}

// True when the V3 Authorization signs the header name (lower-case).
bool SignsHeader(const signing::V3Authorization& auth, std::string_view name) {
  for (const std::string& signed_name : auth.signed_headers) {
    if (signed_name.size() == name.size() &&
        std::equal(name.begin(), name.end(), signed_name.begin(), [](char a, char b) {
          return a == std::tolower(static_cast<unsigned char>(b));
        })) {
      return true;
    }
  }
  return false;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Reads the V1 common parameters; the first missing one is MissingParameter.
Result<SignedCall, ApiError> ReadV1(const ops::Params& params) {
  SignedCall call;
  call.action = params.Get("Action");
  call.version = params.Get("Version");
  if (call.action.empty()) return MakeUnexpected(ApiError::MissingParameter("Action"));
  if (call.version.empty()) return MakeUnexpected(ApiError::MissingParameter("Version"));
  return call;
}

Result<void, ApiError> ReadV1Signature(const ops::Params& params, SignedCall& call) {
  for (const char* name :
       {"AccessKeyId", "Signature", "SignatureMethod", "SignatureNonce", "Timestamp"}) {
    if (!params.Has(name)) return MakeUnexpected(ApiError::MissingParameter(name));
  }
  if (params.Get("SignatureMethod") != "HMAC-SHA1") {
    return MakeUnexpected(ApiError::InvalidParameter("SignatureMethod"));
  }
  if (params.Has("SignatureVersion") && params.Get("SignatureVersion") != "1.0") {
    return MakeUnexpected(ApiError::InvalidParameter("SignatureVersion"));
  }
  call.access_key_id = params.Get("AccessKeyId");
  call.signature = params.Get("Signature");
  call.nonce = params.Get("SignatureNonce");
  call.timestamp = params.Get("Timestamp");
  return {};
}

Result<SignedCall, ApiError> ReadV3(const HttpRequest& req, const std::string& authorization) {
  SignedCall call;
  call.v3 = true;
  call.action = req.Header("x-acs-action");
  call.version = req.Header("x-acs-version");
  if (call.action.empty()) return MakeUnexpected(ApiError::MissingParameter("x-acs-action"));
  if (call.version.empty()) return MakeUnexpected(ApiError::MissingParameter("x-acs-version"));
  auto auth = signing::ParseV3Authorization(authorization);
  if (!auth || auth->algorithm != signing::kV3Algorithm) {
    return MakeUnexpected(ApiError(ApiErrorId::kIncompleteSignature, {""}));
  }
  call.v3_auth = *auth;
  call.access_key_id = auth->access_key_id;
  call.signature = auth->signature;
  call.nonce = req.Header("x-acs-signature-nonce");
  call.timestamp = req.Header("x-acs-date");
  if (call.nonce.empty()) {
    return MakeUnexpected(ApiError::MissingParameter("x-acs-signature-nonce"));
  }
  if (call.timestamp.empty()) return MakeUnexpected(ApiError::MissingParameter("x-acs-date"));
  return call;
}

// The server's V3 string to sign for req, with payload_sha256_hex standing for its body's hash.
std::string V3ServerStringToSign(const HttpRequest& req, std::string_view path,
                                 const ParamList& query, const signing::V3Authorization& auth,
                                 std::string payload_sha256_hex) {
  signing::V3RequestView view;
  view.method = req.method;
  view.canonical_uri = std::string(path);
  view.query = query;
  view.headers = req.headers;
  view.payload_sha256_hex = std::move(payload_sha256_hex);
  return signing::V3StringToSign(signing::V3CanonicalRequest(view, auth.signed_headers));
}

// fn's result, or InternalError (with the exception's text as log-only detail) when it throws.
template <typename T, typename F>
Result<T, ApiError> Contain(F&& fn) {
  try {
    return fn();
  } catch (const std::exception& ex) {
    return MakeUnexpected(ApiError::Internal(std::string("threw: ") + ex.what()));
  } catch (...) {
    return MakeUnexpected(ApiError::Internal("threw a non-exception"));
  }
}

}  // namespace

Result<auth::CachedCredential, ApiError> Gateway::LoadCredential(const std::string& key_id,
                                                                 int64_t now_ms) {
  auth::CredentialCache* cache = services_.credentials;
  if (cache != nullptr) {
    if (auto hit = cache->GetCredential(key_id, now_ms)) return std::move(*hit);
  }
  auto key = services_.store.GetAccessKey(key_id);
  if (!key) {
    if (key.error().code == store::StoreErrorCode::kNotFound) {
      return Fail(ApiErrorId::kInvalidAccessKeyIdNotFound);
    }
    return MakeUnexpected(ops::StoreFailure(key.error()));
  }
  auto secret = services_.secrets.Open(key->sealed_secret);
  if (!secret) {
    return MakeUnexpected(ApiError::Internal("AccessKey " + key->id +
                                             ": sealed secret does not open with this master key"));
  }
  auto account = services_.store.GetAccount(key->account_id);
  if (!account) return MakeUnexpected(ops::StoreFailure(account.error()));
  auto user = services_.store.GetUser(key->account_id, key->user_name);
  if (!user) return MakeUnexpected(ops::StoreFailure(user.error()));
  auth::CachedCredential cred{key->account_id, key->user_name, std::move(*secret),
                              key->enabled,    user->is_root,  account->is_operator};
  if (cache != nullptr) cache->PutCredential(key_id, cred, now_ms);
  return cred;
}

Gateway::Gateway(ops::OpServices& services, auth::ReplayGuard& nonces, const Clock& wall_clock,
                 GatewayOptions options)
    : services_(services),
      nonces_(nonces),
      wall_clock_(wall_clock),
      options_(options),
      suspended_(options.max_suspended_per_account) {}

namespace {

// A call's state before any step: its request id and the HostId its answer shows.
template <typename State>
State NewCallState(const HttpRequest& request) {
  State state;
  state.request_id = NewRequestId();
  state.start = std::chrono::steady_clock::now();
  // The peer's IP address: the listener gives "address:port".
  state.source_address = request.remote_address.substr(0, request.remote_address.rfind(':'));
  std::string host = request.Header("host");
  if (!host.empty()) state.host_id = host;
  return state;
}

}  // namespace

void Gateway::Handle(const HttpRequest& request, Respond respond) {
  auto state = std::make_shared<CallState>(NewCallState<CallState>(request));
  auto result = Contain<boost::json::object>([&] { return Process(request, *state); });
  if (result && state->suspension) return Suspend(std::move(state), std::move(respond));
  state->slot.reset();
  if (state->fault_delay_ms > 0) {
    delayed_.After(std::chrono::milliseconds(state->fault_delay_ms),
                   [this, state, respond = std::move(respond), result = std::move(result)] {
                     Finish(*state, result, respond);
                   });
    return;
  }
  Finish(*state, result, std::move(respond));
}

void Gateway::Suspend(std::shared_ptr<CallState> state, Respond respond) {
  ops::DeviceWait wait = std::move(state->suspension->wait);
  auto finish = [this, state, respond = std::move(respond)](ops::WaitOutcome outcome) {
    auto result = Contain<boost::json::object>(
        [&]() -> ops::OpResult { return state->suspension->resume(outcome); });
    state->slot.reset();  // free before answering: the client may call again at once
    Finish(*state, result, respond);
  };
  if (services_.devices == nullptr) return finish(ops::WaitOutcome::kOffline);
  services_.devices->AwaitDevice(std::move(wait), std::move(finish));
}

ops::OpResult Gateway::RunSuspending(const ops::OpSpec& op, ops::OpContext& ctx, CallState& state) {
  state.slot = suspended_.TryAcquire(ctx.principal.account_id);
  if (state.slot == nullptr) return Fail(ApiErrorId::kThrottlingUser);
  ops::OpStep step = op.suspending_handler(ctx);
  if (auto* result = std::get_if<ops::OpResult>(&step)) return std::move(*result);
  state.suspension = std::move(std::get<ops::Suspension>(step));
  return boost::json::object{};  // the result comes when the suspension ends
}

HttpResponse Gateway::Answer(const CallState& state,
                             const Result<boost::json::object, ApiError>& result) {
  Journal(state, result, state.journal.unread_parameters);
  return Render(state, result);
}

HttpResponse Gateway::Render(const CallState& state,
                             const Result<boost::json::object, ApiError>& result) {
  if (result) return RenderSuccess(state.action, state.request_id, *result, state.format);
  const ApiError& e = result.error();
  if (e.http_status() >= 500) {
    LogError("request " + state.request_id + " " + state.action +
             " failed: " + std::string(e.code()) + " " + e.internal_detail());
  }
  return RenderError(e, state.request_id, state.host_id, state.format);
}

void Gateway::Journal(const CallState& state, const Result<boost::json::object, ApiError>& result,
                      std::vector<std::string> unread_parameters) {
  if (services_.journal == nullptr) return;
  ops::JournalEntry entry = state.journal;
  entry.request_id = state.request_id;
  entry.action = state.action;
  entry.http_status = result ? 200 : result.error().http_status();
  if (!result) {
    entry.code = std::string(result.error().code());
    entry.message = result.error().message();
  }
  entry.latency_us = std::chrono::duration_cast<std::chrono::microseconds>(
                         std::chrono::steady_clock::now() - state.start)
                         .count();
  entry.unread_parameters = std::move(unread_parameters);
  services_.journal->Add(std::move(entry));
}

void Gateway::Finish(const CallState& state, const Result<boost::json::object, ApiError>& result,
                     Respond respond) {
  Deliver(state, result, Answer(state, result), std::move(respond));
}

void Gateway::Deliver(const CallState& state, const Result<boost::json::object, ApiError>& result,
                      HttpResponse response, Respond respond) {
  if (options_.observer == nullptr) return respond(std::move(response));
  CallRecord record{
      .api = state.api,
      .action = state.known_action ? state.action : std::string(),
      .changes_state = state.known_action && MayChangeState(state.action),
      .code = result ? std::string("Success") : std::string(result.error().code()),
      .http_status = response.status,
      .seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - state.start).count(),
      .account_id = state.account_id,
      .user_name = state.user_name,
      .access_key_id = state.access_key_id,
      .resource_arn = state.resource_arn,
      .source_address = state.source_address,
      .request_id = state.request_id,
      .end_ms = wall_clock_.NowMs()};
  options_.observer->Answered(record, std::move(response), std::move(respond));
}

std::variant<std::shared_ptr<const Gateway::UploadTicket>, HttpResponse> Gateway::AuthorizeUpload(
    const HttpRequest& header_only) {
  auto ticket = std::make_shared<UploadTicket>();
  ticket->state = NewCallState<CallState>(header_only);
  ticket->header = header_only;
  auto authorized = Contain<AuthorizedCall>([&]() -> Result<AuthorizedCall, ApiError> {
    ticket->signed_sha256 = Lower(header_only.Header("x-acs-content-sha256"));
    if (ticket->signed_sha256.empty()) {
      return MakeUnexpected(ApiError::MissingParameter("x-acs-content-sha256"));
    }
    if (!ops::IsSha256Hex(ticket->signed_sha256)) {
      return MakeUnexpected(ApiError::InvalidParameter("x-acs-content-sha256"));
    }
    return Authorize(header_only, ticket->state, &ticket->signed_sha256);
  });
  if (!authorized) return Answer(ticket->state, MakeUnexpected(authorized.error()));
  ticket->call = std::move(*authorized);
  return std::shared_ptr<const UploadTicket>(std::move(ticket));
}

void Gateway::CompleteUpload(const UploadTicket& ticket, const HttpRequest& request,
                             Respond respond) {
  auto result = Contain<boost::json::object>([&] { return RunUpload(ticket, request); });
  Journal(ticket.state, result, ticket.call.params.Unread());
  Deliver(ticket.state, result, Render(ticket.state, result), std::move(respond));
}

Result<boost::json::object, ApiError> Gateway::RunUpload(const UploadTicket& ticket,
                                                         const HttpRequest& request) {
  if (request.body_file == nullptr) return MakeUnexpected(ApiError::Internal("no body file"));
  const BodyFile& file = *request.body_file;
  const AuthorizedCall& call = ticket.call;
  if (call.v3 && file.sha256_hex() != ticket.signed_sha256) {
    return MakeUnexpected(ApiError(ApiErrorId::kSignatureDoesNotMatch,
                                   {V3ServerStringToSign(ticket.header, call.path, call.query,
                                                         call.v3_auth, file.sha256_hex())}));
  }
  // 10. The operation, with the body in its file.
  ops::OpContext ctx{services_, call.principal, call.params, call.region};
  if (!call.is_form) {
    ctx.body_file = file.path();
    ctx.body_file_size = file.size();
    ctx.body_file_sha256 = file.sha256_hex();
    ctx.body_signed = call.v3;
  }
  return call.op->handler(ctx);
}

Result<boost::json::object, ApiError> Gateway::Process(const HttpRequest& req, CallState& state) {
  ASSIGN_OR_RETURN(AuthorizedCall call, Authorize(req, state, nullptr));
  // 10a. Fault rules (test mode): a matching call is answered with the rule's error, unrun.
  RETURN_IF_ERROR(ApplyFaultRules(call, state));
  // 10. The operation; one that waits for a device leaves its suspension in state.
  ops::OpContext ctx{services_, call.principal, call.params, call.region};
  if (!call.is_form) {
    ctx.body = req.body;
    ctx.body_signed = call.v3;
  }
  ops::OpResult result = call.op->suspending_handler != nullptr
                             ? RunSuspending(*call.op, ctx, state)
                             : call.op->handler(ctx);
  state.journal.unread_parameters = call.params.Unread();
  return result;
}

Result<void, ApiError> Gateway::ApplyFaultRules(const AuthorizedCall& call, CallState& state) {
  if (services_.faults == nullptr || call.op->operator_only) return {};
  const std::string* smartag_id = call.params.Peek("SmartAGId");
  auto rule = services_.faults->Match(
      {call.op->action, call.principal.account_id, smartag_id ? *smartag_id : ""});
  if (!rule) return {};
  state.fault_delay_ms = rule->delay_ms;
  state.journal.fault_rule_id = rule->rule_id;
  return MakeUnexpected(ApiError::Injected(rule->http_status, rule->code, rule->message,
                                           rule->retry_after_ms, "fault rule " + rule->rule_id));
}

Result<Gateway::AuthorizedCall, ApiError> Gateway::Authorize(const HttpRequest& req,
                                                             CallState& state,
                                                             const std::string* payload_sha256) {
  state.journal.time_ms = wall_clock_.NowMs();
  if (req.method != "GET" && req.method != "POST") {
    return Fail(ApiErrorId::kUnsupportedHTTPMethod);
  }

  // 1. Parameters: query and form body, merged (body wins on a clash); every name and value is
  // well-formed text within its bound (ops/parameter_text.h), whatever the operation.
  std::string_view target = req.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  auto query_params = signing::ParseUrlEncoded(query);
  if (!query_params) return Fail(ApiErrorId::kRequestParameterMalformed);
  ParamList all = *query_params;
  bool is_form = Lower(req.Header("content-type")).starts_with(kFormUrlEncoded);
  if (is_form && !req.body.empty()) {
    auto body_params = signing::ParseUrlEncoded(req.body);
    if (!body_params) return Fail(ApiErrorId::kRequestParameterMalformed);
    all.insert(all.end(), body_params->begin(), body_params->end());
  }
  ops::Params params;
  for (const auto& [k, v] : all) params.Set(k, v);
  state.journal.parameters = ops::RedactParameters(params, &state.journal.parameters_truncated);

  std::string format = Lower(params.Get("Format"));
  if (format == "xml") {
    state.format = Format::kXml;
  } else if (format.empty()) {
    std::string accept = Lower(req.Header("accept"));
    if (accept.find("xml") != std::string::npos && accept.find("json") == std::string::npos) {
      state.format = Format::kXml;
    }
  }
  RETURN_IF_ERROR(ops::CheckParameterText(params));

  // 2. Which signature, action and version.
  std::string authorization = req.Header("authorization");
  SignedCall call;
  if (authorization.starts_with("ACS3-")) {
    ASSIGN_OR_RETURN(call, ReadV3(req, authorization));
  } else {
    ASSIGN_OR_RETURN(call, ReadV1(params));
  }
  state.action = call.action;
  state.journal.version = call.version;
  if (path != "/") return Fail(ApiErrorId::kInvalidActionNotFound);
  const ops::ApiProduct* product = ops::FindProduct(call.version);
  if (product == nullptr) return Fail(ApiErrorId::kInvalidVersion);
  state.api = product->ram_service;
  const ops::OpSpec* op = ops::FindOp(*product, call.action);
  if (op == nullptr) return Fail(ApiErrorId::kInvalidActionNotFound);
  state.known_action = true;
  if (!call.v3) RETURN_IF_ERROR(ReadV1Signature(params, call));

  // 3. Timestamp window (real time: clients sign with their wall clock).
  auto ts = ParseIso8601Utc(call.timestamp);
  if (!ts) return Fail(ApiErrorId::kIllegalTimestamp);
  int64_t now = wall_clock_.NowMs();
  if (*ts < now - options_.timestamp_window_ms || *ts > now + options_.timestamp_window_ms) {
    return Fail(ApiErrorId::kInvalidTimeStampExpired);
  }

  // 4. The AccessKey, its secret and its owner (cached briefly; see auth/credential_cache.h).
  state.journal.access_key_id = call.access_key_id;
  ASSIGN_OR_RETURN(auth::CachedCredential cred, LoadCredential(call.access_key_id, now));
  state.journal.account_id = cred.account_id;
  state.journal.user_name = cred.user_name;
  if (!cred.enabled) return Fail(ApiErrorId::kInvalidAccessKeyIdInactive);

  // 5. The signature.
  std::string string_to_sign;
  bool match = false;
  if (call.v3) {
    string_to_sign =
        V3ServerStringToSign(req, path, *query_params, call.v3_auth,
                             payload_sha256 != nullptr ? *payload_sha256 : Sha256Hex(req.body));
    match = ConstantTimeEquals(Lower(call.signature),
                               signing::V3Signature(cred.secret, string_to_sign));
  } else {
    ParamList unsigned_params;
    for (const auto& kv : all) {
      if (kv.first != "Signature") unsigned_params.push_back(kv);
    }
    string_to_sign = signing::V1StringToSign(req.method, unsigned_params);
    match = ConstantTimeEquals(call.signature, signing::V1Signature(cred.secret, string_to_sign));
  }
  if (!match) {
    return MakeUnexpected(ApiError(ApiErrorId::kSignatureDoesNotMatch, {string_to_sign}));
  }
  state.access_key_id = call.access_key_id;
  state.account_id = cred.account_id;
  state.user_name = cred.user_name;

  // 6. Replay: only a correctly signed request may use up a nonce. V3 must sign its nonce and
  // date, or a captured request could be sent again with new ones. The pair is remembered while
  // its timestamp is accepted; a call that may change state has its nonce made durable first; a
  // key holding as many nonces as it may is throttled (auth/nonce_window.h).
  if (call.v3 && (!SignsHeader(call.v3_auth, "x-acs-signature-nonce") ||
                  !SignsHeader(call.v3_auth, "x-acs-date"))) {
    return MakeUnexpected(ApiError(ApiErrorId::kIncompleteSignature, {string_to_sign}));
  }
  if (!ops::IsAcceptableText(call.nonce, ops::TextBound{kMaxNonceCharacters, false})) {
    return MakeUnexpected(
        ApiError::InvalidParameter(call.v3 ? "x-acs-signature-nonce" : "SignatureNonce"));
  }
  const auth::ReplayCheck replay =
      nonces_.Check(auth::NonceUse{.access_key_id = call.access_key_id,
                                   .nonce = call.nonce,
                                   .timestamp_ms = *ts,
                                   .valid_until_ms = *ts + options_.timestamp_window_ms,
                                   .changes_state = MayChangeState(call.action)},
                    now);
  switch (replay.verdict) {
    case auth::ReplayVerdict::kNew:
      break;
    case auth::ReplayVerdict::kReplay:
      return Fail(ApiErrorId::kSignatureNonceUsed);
    case auth::ReplayVerdict::kThrottled:
      return MakeUnexpected(ApiError::Throttled(replay.retry_after_ms));
    case auth::ReplayVerdict::kUnavailable:
      return Fail(ApiErrorId::kServiceUnavailable);
  }

  // 7-9. The caller may call the operation, its required parameters and region, then RAM.
  ops::Principal principal{cred.account_id, cred.user_name, cred.is_root, cred.is_operator};
  state.resource_arn = ops::ResourceArn(*op, params, params.Get("RegionId"),
                                        principal.account_id);  // for the record
  ASSIGN_OR_RETURN(std::string region,
                   ops::CheckCall(services_, ops::CallToCheck{.product = *product,
                                                              .op = *op,
                                                              .principal = principal,
                                                              .params = params,
                                                              .test_mode = options_.test_mode,
                                                              .now_ms = now}));

  return AuthorizedCall{
      op,      std::move(principal), std::move(params), std::move(region), is_form,
      call.v3, std::string(path),    *query_params,     call.v3_auth};
}

}  // namespace sag::api
