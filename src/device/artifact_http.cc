#include "device/artifact_http.h"

#include <cerrno>
#include <charconv>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include "common/crypto.h"
#include "common/log.h"
#include "ops/artifacts.h"

namespace sag::device {
namespace {

std::optional<int64_t> ParseNumber(std::string_view text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n < 0) return std::nullopt;
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

api::HttpResponse Error(int status, std::string_view code, std::string_view message) {
  api::HttpResponse r;
  r.status = status;
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = boost::json::serialize(boost::json::object{{"code", code}, {"message", message}});
  return r;
}

std::map<std::string, std::string, std::less<>> Query(std::string_view query) {
  std::map<std::string, std::string, std::less<>> out;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view kv = query.substr(0, amp);
    size_t eq = kv.find('=');
    if (eq != std::string_view::npos) out[std::string(kv.substr(0, eq))] = kv.substr(eq + 1);
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return out;
}

}  // namespace

RangeRequest ParseRange(std::string_view header, int64_t size) {
  RangeRequest whole;
  header = Trim(header);
  if (!header.starts_with("bytes=")) return whole;
  std::string_view spec = Trim(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return whole;  // several ranges: send it all
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return whole;
  std::string_view a = Trim(spec.substr(0, dash));
  std::string_view b = Trim(spec.substr(dash + 1));
  RangeRequest r;
  r.kind = RangeRequest::Kind::kPartial;
  if (a.empty()) {  // suffix: the last n bytes
    auto n = ParseNumber(b);
    if (!n) return whole;
    if (*n == 0 || size == 0) return {RangeRequest::Kind::kUnsatisfiable, 0, 0};
    r.first = *n >= size ? 0 : size - *n;
    r.last = size - 1;
    return r;
  }
  auto first = ParseNumber(a);
  if (!first) return whole;
  std::optional<int64_t> last;
  if (!b.empty()) {
    last = ParseNumber(b);
    if (!last || *last < *first) return whole;  // invalid: ignore the header
  }
  if (*first >= size) return {RangeRequest::Kind::kUnsatisfiable, 0, 0};
  r.first = *first;
  r.last = last && *last < size ? *last : size - 1;
  return r;
}

api::HttpResponse ServeArtifact(const api::HttpRequest& request, store::Store& store,
                                const ArtifactHttpConfig& config) {
  if (request.method != "GET" && request.method != "HEAD") {
    return Error(405, "MethodNotAllowed", "use GET or HEAD");
  }
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string_view sha = path.substr(ops::kArtifactPathPrefix.size());
  auto query = Query(q == std::string_view::npos ? std::string_view() : target.substr(q + 1));
  const std::string sn = query["sn"];
  const std::string token = query["token"];
  if (!ops::IsSha256Hex(sha) || sn.empty() ||
      !ConstantTimeEquals(token, ops::ArtifactToken(config.token_key, sn, sha))) {
    return Error(403, "Forbidden", "no valid download token for this artifact");
  }
  auto active = store.ActiveUpgrade(sn);
  if (!active) return Error(503, "ServiceUnavailable", "try again later");
  if (!active->has_value() || (*active)->sha256 != sha ||
      (*active)->state == store::UpgradeState::kQueued) {
    return Error(403, "Forbidden", "this artifact is not assigned to this device");
  }
  const std::string file = ops::ArtifactPath(config.artifact_dir, sha);
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error(404, "NotFound", "no such artifact");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    return Error(500, "InternalError", "cannot read the artifact");
  }
  const int64_t size = st.st_size;
  RangeRequest range = ParseRange(request.Header("range"), size);
  api::HttpResponse r;
  r.headers.emplace_back("Accept-Ranges", "bytes");
  r.headers.emplace_back("ETag", "\"" + std::string(sha) + "\"");
  if (range.kind == RangeRequest::Kind::kUnsatisfiable) {
    ::close(fd);
    r.status = 416;
    r.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
    return r;
  }
  int64_t first = 0, last = size - 1;
  if (range.kind == RangeRequest::Kind::kPartial) {
    first = range.first;
    last = range.last;
    r.status = 206;
    r.headers.emplace_back("Content-Range", "bytes " + std::to_string(first) + "-" +
                                                std::to_string(last) + "/" + std::to_string(size));
  } else {
    r.status = 200;
  }
  r.headers.emplace_back("Content-Type", "application/octet-stream");
  const int64_t length = size == 0 ? 0 : last - first + 1;
  if (request.method == "HEAD") {
    ::close(fd);
    r.headers.emplace_back("X-Content-Length", std::to_string(length));
    return r;
  }
  r.body.resize(static_cast<size_t>(length));
  int64_t done = 0;
  while (done < length) {
    ssize_t n = ::pread(fd, r.body.data() + done, static_cast<size_t>(length - done), first + done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return Error(500, "InternalError", "cannot read the artifact");
    }
    done += n;
  }
  ::close(fd);
  return r;
}

}  // namespace sag::device
