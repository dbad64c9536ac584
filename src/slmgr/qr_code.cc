#include "slmgr/qr_code.h"

#include <png.h>
#include <qrencode.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "base/file_util.h"

namespace activa::slmgr {

Result<QrCode> EncodeQrCode(std::string_view text) {
  if (text.empty()) return Status(ResultCode::kInvalidArgument, "nothing to put in a QR code");
  const std::string copy(text);  // libqrencode wants a terminated string
  // Version 0: the smallest that holds the text. QR_MODE_8 is only the hint
  // for characters outside the alphanumeric set; the library picks the
  // alphanumeric mode for the rest.
  std::unique_ptr<QRcode, decltype(&QRcode_free)> symbol(
      QRcode_encodeString(copy.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, /*casesensitive=*/1),
      &QRcode_free);
  if (symbol == nullptr) {
    return Status(ResultCode::kInvalidArgument,
                  std::string("cannot make a QR code of this text: ") + std::strerror(errno));
  }
  QrCode code;
  code.size = symbol->width;
  code.dark.resize(static_cast<std::size_t>(code.size) * code.size);
  for (std::size_t i = 0; i < code.dark.size(); ++i) {
    code.dark[i] = (symbol->data[i] & 1) != 0;  // bit 0 is the module's colour
  }
  return code;
}

std::string RenderQrTerminal(const QrCode& code) {
  const int side = code.size + 2 * kQrQuietZone;
  auto light = [&](int x, int y) {
    x -= kQrQuietZone;
    y -= kQrQuietZone;
    if (x < 0 || y < 0 || x >= code.size || y >= code.size) return true;
    return !code.Dark(x, y);
  };
  std::string out;
  for (int y = 0; y < side; y += 2) {
    out += "\x1b[40;97m";  // black background, white foreground
    for (int x = 0; x < side; ++x) {
      const bool top = light(x, y);
      const bool bottom = y + 1 < side ? light(x, y + 1) : false;
      out += top && bottom ? "\u2588" : top ? "\u2580" : bottom ? "\u2584" : " ";
    }
    out += "\x1b[0m\n";
  }
  return out;
}

Status WriteQrPng(const QrCode& code, const std::string& path, int scale) {
  const int side = (code.size + 2 * kQrQuietZone) * scale;
  // Everything with a destructor exists before setjmp: libpng's errors
  // longjmp back to it, which must skip no destructor.
  std::string png;
  std::vector<png_byte> row(static_cast<std::size_t>(side));
  png_structp writer = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  if (writer == nullptr) return Status(ResultCode::kInternal, "libpng: out of memory");
  png_infop info = png_create_info_struct(writer);
  if (info == nullptr || setjmp(png_jmpbuf(writer))) {
    png_destroy_write_struct(&writer, &info);
    return Status(ResultCode::kInternal, "libpng could not encode the QR code");
  }
  // Into memory, so the file is written once, atomically, with its mode.
  png_set_write_fn(
      writer, &png,
      [](png_structp p, png_bytep data, png_size_t length) {
        static_cast<std::string*>(png_get_io_ptr(p))->append(reinterpret_cast<char*>(data), length);
      },
      nullptr);
  png_set_IHDR(writer, info, side, side, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(writer, info);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      const int mx = x / scale - kQrQuietZone;
      const int my = y / scale - kQrQuietZone;
      const bool inside = mx >= 0 && my >= 0 && mx < code.size && my < code.size;
      row[static_cast<std::size_t>(x)] = inside && code.Dark(mx, my) ? 0 : 255;
    }
    png_write_row(writer, row.data());
  }
  png_write_end(writer, nullptr);
  png_destroy_write_struct(&writer, &info);
  return WriteFileAtomic(path, png, 0600, /*overwrite=*/true);
}

}  // namespace activa::slmgr
