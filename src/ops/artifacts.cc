#include "ops/artifacts.h"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/crypto.h"

namespace sag::ops {
namespace {

bool HasFileOfSize(const std::string& path, uint64_t size) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && static_cast<uint64_t>(st.st_size) == size;
}

void SyncDirectory(const std::string& dir) {
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

// Renames the written temporary file tmp to path, then makes the rename durable.
Result<void, std::string> RenameIntoPlace(const std::string& dir, const std::string& tmp,
                                          const std::string& path) {
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return MakeUnexpected("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  SyncDirectory(dir);
  return {};
}

}  // namespace

Result<std::string, std::string> StoreArtifact(const std::string& dir, std::string_view bytes) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return MakeUnexpected("cannot create " + dir + ": " + std::strerror(errno));
  }
  std::string sha = Sha256Hex(bytes);
  std::string path = ArtifactPath(dir, sha);
  if (HasFileOfSize(path, bytes.size())) return sha;
  std::string tmp = dir + "/" + std::string(kUploadFilePrefix) + HexEncode(RandomBytes(8));
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return MakeUnexpected("cannot create " + tmp + ": " + std::strerror(errno));
  auto written = WriteFully(fd, bytes, tmp);
  if (written && ::fsync(fd) != 0) {
    written = MakeUnexpected("cannot sync " + tmp + ": " + std::strerror(errno));
  }
  ::close(fd);
  if (written) written = RenameIntoPlace(dir, tmp, path);
  if (!written) {
    ::unlink(tmp.c_str());
    return MakeUnexpected(written.error());
  }
  return sha;
}

Result<void, std::string> InstallArtifactFile(const std::string& dir, const std::string& file,
                                              std::string_view sha256, uint64_t size) {
  std::string path = ArtifactPath(dir, sha256);
  if (HasFileOfSize(path, size)) return {};
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return MakeUnexpected("cannot open " + file + ": " + std::strerror(errno));
  bool synced = ::fsync(fd) == 0;
  std::string sync_error = synced ? "" : std::strerror(errno);
  ::close(fd);
  if (!synced) return MakeUnexpected("cannot sync " + file + ": " + sync_error);
  return RenameIntoPlace(dir, file, path);
}

int RemoveStaleUploads(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return 0;
  int removed = 0;
  while (const dirent* entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (!name.starts_with(kUploadFilePrefix)) continue;
    if (::unlink((dir + "/" + std::string(name)).c_str()) == 0) ++removed;
  }
  ::closedir(d);
  return removed;
}

Result<void, std::string> WriteFully(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return MakeUnexpected("cannot write " + path + ": " + std::strerror(errno));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

std::string ArtifactPath(const std::string& dir, std::string_view sha256) {
  return dir + "/" + std::string(sha256);
}

bool IsSha256Hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string ArtifactToken(std::string_view key, std::string_view serial_number,
                          std::string_view sha256) {
  std::string message = "sag-artifact-v1\n";
  message.append(serial_number).append("\n").append(sha256);
  return HexEncode(HmacSha256(key, message));
}

std::string ArtifactUrl(std::string_view key, std::string_view serial_number,
                        std::string_view sha256) {
  return std::string(kArtifactPathPrefix) + std::string(sha256) +
         "?sn=" + std::string(serial_number) +
         "&token=" + ArtifactToken(key, serial_number, sha256);
}

}  // namespace sag::ops
