// Small file helpers with the failure cases spelled out as Status values.
#ifndef ACTIVA_BASE_FILE_UTIL_H_
#define ACTIVA_BASE_FILE_UTIL_H_

#include <sys/types.h>

#include <string>

#include "base/status.h"

namespace activa {

// The whole file. kFileNotFound when it does not exist.
Result<std::string> ReadFile(const std::string& path);

// Writes `data` to a temporary file beside `path` with permissions `mode`,
// fsyncs it and renames it into place, so readers see the old or the new
// contents, never a mix. With overwrite == false, an existing `path` is an
// error (kFileExists) and is left untouched.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode, bool overwrite);

}  // namespace activa

#endif  // ACTIVA_BASE_FILE_UTIL_H_
