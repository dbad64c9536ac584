// QR codes of the installation ID (`slmgr /dti --qr`, `--qr-png FILE`), so
// a phone can read what a person would otherwise type into the vendor's
// form or read over the phone.
//
// The symbol comes from libqrencode (ISO/IEC 18004), error correction level
// M. The installation ID's characters (upper-case letters, digits and
// dashes) are all in QR's alphanumeric set, so the 143 characters fit a
// version 6 symbol (41 x 41 modules). Both renderings below draw the same
// matrix, with the standard quiet zone of 4 modules.
//
// Pure and thread-compatible apart from WriteQrPng, which writes a file.
#ifndef ACTIVA_SLMGR_QR_CODE_H_
#define ACTIVA_SLMGR_QR_CODE_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace activa::slmgr {

inline constexpr int kQrQuietZone = 4;

// A square matrix of modules, row by row; true is dark.
struct QrCode {
  int size = 0;
  std::vector<bool> dark;

  bool Dark(int x, int y) const { return dark[static_cast<std::size_t>(y) * size + x]; }
  friend bool operator==(const QrCode&, const QrCode&) = default;
};

// The QR code of `text` (printable ASCII). kInvalidArgument when the text
// is empty or too long for any QR version.
Result<QrCode> EncodeQrCode(std::string_view text);

// The code as lines of Unicode half blocks (two module rows per line),
// each line wrapped in ANSI colours (white on black) so that it reads the
// same on dark and light terminals: a light module is a white half, a dark
// one black. Includes the quiet zone.
std::string RenderQrTerminal(const QrCode& code);

// Writes the code as an 8-bit greyscale PNG, `scale` pixels per module,
// quiet zone included, replacing `path`; mode 0600, since the installation
// ID carries the host key.
Status WriteQrPng(const QrCode& code, const std::string& path, int scale = 8);

}  // namespace activa::slmgr

#endif  // ACTIVA_SLMGR_QR_CODE_H_
