// Serving artifacts to devices (docs/device-protocol.md §6): GET/HEAD
// /device/v1/artifacts/<sha256>?sn=<serial number>&token=<download token>, one byte range at most
// (RFC 9110 §14: "bytes=a-b", "bytes=a-", "bytes=-n"), only to a device with an upgrade in flight
// for that artifact. Runs on a request worker (it reads the store and the file).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "store/store.h"

namespace sag::device {

// What a Range header asks of a representation of `size` bytes.
struct RangeRequest {
  enum class Kind {
    kWhole,          // no Range header, or one we ignore (malformed, not bytes, several ranges)
    kPartial,        // one satisfiable range: [first, last]
    kUnsatisfiable,  // answer 416 with Content-Range: bytes */size
  };
  Kind kind = Kind::kWhole;
  int64_t first = 0;
  int64_t last = 0;  // inclusive
};

// Parses the value of a Range header for a representation of size bytes. A last position beyond
// the end is clamped to size - 1; a range starting at or beyond size (or a zero-length suffix) is
// unsatisfiable.
RangeRequest ParseRange(std::string_view header, int64_t size);

// Where artifacts are and how tokens are checked.
struct ArtifactHttpConfig {
  std::string artifact_dir;
  std::string token_key;
};

// Answers one artifact request: 200 (whole), 206 (Content-Range), 416, 403 (bad token, or no
// upgrade in flight for this device and artifact), 404 (no such artifact file), 405 (not GET or
// HEAD). Error bodies are JSON {"code":...,"message":...}.
api::HttpResponse ServeArtifact(const api::HttpRequest& request, store::Store& store,
                                const ArtifactHttpConfig& config);

}  // namespace sag::device
