// Large request bodies (artifact uploads) on disk instead of in memory: the sink the listener
// writes an upload into while hashing it, and the finished file handed to the request's handler.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <sodium.h>

#include "common/result.h"

namespace sag::api {

// A finished upload: a file "<dir>/.upload-<random>" with the body's size and SHA-256. The file is
// removed when this object goes, unless the handler renamed it away before (e.g. an artifact moved
// into its content-addressed place). Immutable; safe to share between threads.
class BodyFile {
 public:
  BodyFile(std::string path, uint64_t size, std::string sha256_hex);
  ~BodyFile();
  BodyFile(const BodyFile&) = delete;
  BodyFile& operator=(const BodyFile&) = delete;

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  // Lower-case hex.
  const std::string& sha256_hex() const { return sha256_hex_; }

 private:
  std::string path_;
  uint64_t size_;
  std::string sha256_hex_;
};

// Writes one upload's body into a new file in a directory (created 0700 if missing; the file is
// 0600) and hashes it as it goes, so memory stays flat whatever the body's size. Writes are plain
// write(2) calls into the page cache; the handler makes the file durable if it keeps it. Not
// thread-safe: one owner at a time.
class UploadSink {
 public:
  static Result<std::unique_ptr<UploadSink>, std::string> Create(const std::string& dir);
  // Removes the file unless Finish() succeeded.
  ~UploadSink();
  UploadSink(const UploadSink&) = delete;
  UploadSink& operator=(const UploadSink&) = delete;

  Result<void, std::string> Write(std::string_view bytes);
  // Closes the file and hands it over (with its size and SHA-256); call once, after the last Write.
  Result<std::shared_ptr<const BodyFile>, std::string> Finish();

  uint64_t size() const { return size_; }

 private:
  UploadSink(int fd, std::string path);

  int fd_;
  std::string path_;
  uint64_t size_ = 0;
  crypto_hash_sha256_state sha_{};
  bool finished_ = false;
};

}  // namespace sag::api
