#include "api/upload_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"
#include "ops/artifacts.h"

namespace sag::api {

BodyFile::BodyFile(std::string path, uint64_t size, std::string sha256_hex)
    : path_(std::move(path)), size_(size), sha256_hex_(std::move(sha256_hex)) {}

BodyFile::~BodyFile() {
  ::unlink(path_.c_str());  // ENOENT when the handler moved the file into place: nothing to do
}

Result<std::unique_ptr<UploadSink>, std::string> UploadSink::Create(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeUnexpected("cannot create " + dir + ": " + std::strerror(errno));
  }
  std::string path = dir + "/" + std::string(ops::kUploadFilePrefix) + HexEncode(RandomBytes(8));
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeUnexpected("cannot create " + path + ": " + std::strerror(errno));
  return std::unique_ptr<UploadSink>(new UploadSink(fd, std::move(path)));
}

UploadSink::UploadSink(int fd, std::string path) : fd_(fd), path_(std::move(path)) {
  crypto_hash_sha256_init(&sha_);
}

UploadSink::~UploadSink() {
  if (finished_) return;
  ::close(fd_);
  ::unlink(path_.c_str());
}

Result<void, std::string> UploadSink::Write(std::string_view bytes) {
  crypto_hash_sha256_update(&sha_, reinterpret_cast<const unsigned char*>(bytes.data()),
                            bytes.size());
  size_ += bytes.size();
  return ops::WriteFully(fd_, bytes, path_);
}

Result<std::shared_ptr<const BodyFile>, std::string> UploadSink::Finish() {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&sha_, digest);
  if (::close(fd_) != 0) {
    finished_ = true;  // the descriptor is gone either way
    ::unlink(path_.c_str());
    return MakeUnexpected("cannot close " + path_ + ": " + std::strerror(errno));
  }
  finished_ = true;
  std::string hex = HexEncode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
  return std::shared_ptr<const BodyFile>(std::make_shared<BodyFile>(path_, size_, std::move(hex)));
}

}  // namespace sag::api
