// Artifacts of published versions: content-addressed files "<dir>/<sha256>" and the per-device
// download tokens that authorize a device to fetch one (docs/device-protocol.md §6).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace sag::ops {

// Stores bytes as "<dir>/<sha256 hex>" (creating dir, mode 0700): written to a temporary file in
// dir, fsynced, renamed into place, then the directory is fsynced. Returns the SHA-256 (lower-case
// hex). Storing the same bytes twice is harmless.
Result<std::string, std::string> StoreArtifact(const std::string& dir, std::string_view bytes);

// Moves a finished upload file (in dir, e.g. one the listener streamed a PublishVersion body into)
// to "<dir>/<sha256>": fsynced, renamed into place, then the directory is fsynced. sha256 must be
// the file's (lower-case hex). When a file of that name and size is already there, the upload is
// left where it is (its owner removes it).
Result<void, std::string> InstallArtifactFile(const std::string& dir, const std::string& file,
                                              std::string_view sha256, uint64_t size);

// Writes every byte to the file descriptor fd (path names it in the error).
Result<void, std::string> WriteFully(int fd, std::string_view bytes, const std::string& path);

// Removes what an interrupted upload or store left in dir: files whose name starts with
// kUploadFilePrefix. Call at startup, before anything uploads. Returns how many were removed.
int RemoveStaleUploads(const std::string& dir);

// The name prefix of temporary files in the artifact directory (uploads in progress).
inline constexpr std::string_view kUploadFilePrefix = ".upload-";

// "<dir>/<sha256>".
std::string ArtifactPath(const std::string& dir, std::string_view sha256);

// True for 64 lower-case hex digits.
bool IsSha256Hex(std::string_view text);

// The download token of (serial number, artifact): lower-case hex HMAC-SHA256(key,
// "sag-artifact-v1\n" + serial_number + "\n" + sha256).
std::string ArtifactToken(std::string_view key, std::string_view serial_number,
                          std::string_view sha256);

// The artifact's URL path for one device (serial numbers are URL-safe: letters, digits, - and _):
// "/device/v1/artifacts/<sha256>?sn=<sn>&token=<token>".
std::string ArtifactUrl(std::string_view key, std::string_view serial_number,
                        std::string_view sha256);

// The path prefix artifact URLs start with.
inline constexpr std::string_view kArtifactPathPrefix = "/device/v1/artifacts/";

}  // namespace sag::ops
