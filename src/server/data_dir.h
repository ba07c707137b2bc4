// Files sagd keeps in its data directory besides the database: the master key that seals
// AccessKey secrets, and the root credentials written at first start.
#pragma once

#include <string>

#include "common/result.h"

namespace sag::server {

// Creates dir (mode 0700) if missing.
Result<void, std::string> EnsureDataDir(const std::string& dir);

// Reads <dir>/master.key (32 bytes), creating it with fresh random bytes (mode 0600) when absent.
// A key file of the wrong size is an error: replacing it would make every stored secret unreadable.
Result<std::string, std::string> LoadOrCreateMasterKey(const std::string& dir);

// Reads an existing 32-byte key file (--master-key-file: several nodes share one key). Missing or
// wrong-sized files are errors; this never creates a key.
Result<std::string, std::string> LoadMasterKeyFile(const std::string& path);

// Writes content to path with mode 0600, atomically (temp file + fsync + rename).
Result<void, std::string> WritePrivateFile(const std::string& path, const std::string& content);

}  // namespace sag::server
