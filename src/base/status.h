// Status and Result<T>: how errors cross component boundaries.
//
// A Status is a ResultCode plus a message for a person. The code says what
// the caller should do (see result_code.h); the message says what was wrong,
// naming the input ("group 3 of the key has a typing error"). Statuses never
// carry secrets: callers must not put key material into a message.
#ifndef ACTIVA_BASE_STATUS_H_
#define ACTIVA_BASE_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

#include "base/result_code.h"

namespace activa {

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ResultCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == ResultCode::kOk; }
  ResultCode code() const { return code_; }
  // The specific message, or the code's standard text when none was given.
  std::string message() const;
  // "0xC004F050: The product key is invalid: group 3 ..."
  std::string ToString() const;

 private:
  ResultCode code_ = ResultCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace activa

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define ACTIVA_RETURN_IF_ERROR(expr)                 \
  do {                                               \
    ::activa::Status activa_status_ = (expr);        \
    if (!activa_status_.ok()) return activa_status_; \
  } while (0)

#endif  // ACTIVA_BASE_STATUS_H_
