#include "server/data_dir.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"

namespace sag::server {

Result<void, std::string> EnsureDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeUnexpected("cannot create data directory " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);  // best effort: a directory we do not own keeps its mode
  return {};
}

Result<void, std::string> WritePrivateFile(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return MakeUnexpected("cannot create " + tmp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return MakeUnexpected("cannot write " + tmp + ": " + std::strerror(errno));
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return MakeUnexpected("cannot sync " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeUnexpected("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return {};
}

Result<std::string, std::string> LoadMasterKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeUnexpected("cannot read master key file " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string key = ss.str();
  if (key.size() != SecretBox::kKeySize) {
    return MakeUnexpected(path + " is not a 32-byte key");
  }
  return key;
}

Result<std::string, std::string> LoadOrCreateMasterKey(const std::string& dir) {
  std::string path = dir + "/master.key";
  std::ifstream in(path, std::ios::binary);
  if (in) {
    std::stringstream ss;
    ss << in.rdbuf();
    std::string key = ss.str();
    if (key.size() != SecretBox::kKeySize) {
      return MakeUnexpected(path + " is not a 32-byte key; refusing to replace it");
    }
    return key;
  }
  std::string key = RandomBytes(SecretBox::kKeySize);
  RETURN_IF_ERROR(WritePrivateFile(path, key));
  return key;
}

}  // namespace sag::server
