#include "base/status.h"

namespace activa {

std::string Status::message() const {
  if (!message_.empty()) return message_;
  return std::string(ResultCodeMessage(code_));
}

std::string Status::ToString() const { return FormatResultCode(code_) + ": " + message(); }

}  // namespace activa
