// What slmgr prints for the daemon's answer: pure text formatting.
//
// Given the command that was sent and the response line from activad
// (docs/management.md), FormatResponse produces the lines for standard
// output and standard error, in the order they are to be written, and the
// exit status. The wording follows slmgr.vbs's where it has one, so an
// administrator who knows that script recognises the output; dates are
// printed in UTC ("2027-05-26 12:00:00 UTC") so output does not depend on the
// machine's time zone.
//
// Errors: every failure prints "Error: 0x%08X" and the code's one-line text
// on standard error, then the daemon's cause ("    Cause: ...") or, for
// /ato, every step its attempt took ("    Tried in order:"), and gives exit
// status 1; that includes a response that is not valid JSON or lacks the
// fields the operation promises (0x8007000D, naming the field).
// Never throws; safe to call from any thread.
#ifndef ACTIVA_SLMGR_OUTPUT_H_
#define ACTIVA_SLMGR_OUTPUT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "slmgr/command_line.h"

namespace activa::slmgr {

struct Output {
  struct Chunk {
    bool to_stderr = false;
    std::string text;  // one or more whole lines, each ending with '\n'
  };
  std::vector<Chunk> chunks;
  int exit_code = 0;

  void Out(std::string text) { chunks.push_back({false, std::move(text)}); }
  void Err(std::string text) { chunks.push_back({true, std::move(text)}); }
  // Everything for one stream, concatenated (for tests and simple callers).
  std::string stdout_text() const;
  std::string stderr_text() const;
};

// Formats activad's `response` (one JSON line, with or without its newline)
// to `command` (which must not be a help command). With command.json the
// response object is printed as JSON on standard output; a failure still adds
// the "Error:" line on standard error and exit status 1.
Output FormatResponse(const Command& command, std::string_view response);

// "Error: 0xC004F038 The activation host's count is below ...\n" (the code's
// standard text, base/result_code.h), then "    Cause: MESSAGE\n" when the
// message says more than that text. A code this build does not know is
// followed by the message alone ("Unknown error." when it is empty).
std::string ErrorLine(std::uint32_t code, std::string_view message);

// The text for a license status number, as in KMS ("Initial grace period").
std::string LicenseStatusText(std::int64_t status);

// "2027-05-26 12:00:00 UTC" for Unix seconds.
std::string FormatTime(std::int64_t unix_seconds);

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_OUTPUT_H_
