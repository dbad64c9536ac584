#include "base/bytes.h"

#include <gtest/gtest.h>

namespace activa {
namespace {

TEST(BytesTest, WriterAndReaderRoundTrip) {
  ByteWriter w;
  w.U8(0x12);
  w.U16(0x3456);
  w.U32(0x789abcde);
  w.U64(0x0102030405060708ULL);
  w.String8("host");
  const Bytes blob = {9, 8, 7};
  w.Blob16(blob);
  ByteReader r(w.bytes());
  EXPECT_EQ(r.U8(), 0x12);
  EXPECT_EQ(r.U16(), 0x3456);
  EXPECT_EQ(r.U32(), 0x789abcdeu);
  EXPECT_EQ(r.U64(), 0x0102030405060708ULL);
  EXPECT_EQ(r.String8(), "host");
  ByteSpan b = r.Blob16();
  EXPECT_EQ(Bytes(b.begin(), b.end()), blob);
  EXPECT_TRUE(r.AtEnd());
}

TEST(BytesTest, BigEndianOnTheWire) {
  ByteWriter w;
  w.U32(0xC004F038);
  EXPECT_EQ(HexEncode(w.bytes()), "c004f038");
}

TEST(BytesTest, ReaderFailsPastTheEndAndStaysFailed) {
  const Bytes in = {1, 2, 3};
  ByteReader r(in);
  EXPECT_EQ(r.U16(), 0x0102);
  EXPECT_EQ(r.U16(), 0);  // only one byte left
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.U8(), 0);  // even though one byte remains, the reader is failed
  EXPECT_FALSE(r.AtEnd());
}

TEST(BytesTest, BlobLengthBeyondInputFails) {
  const Bytes in = {0x00, 0x05, 1, 2};
  ByteReader r(in);
  EXPECT_TRUE(r.Blob16().empty());
  EXPECT_FALSE(r.ok());
}

TEST(BytesTest, HexAndBase64) {
  Bytes out;
  EXPECT_TRUE(HexDecode("00fFa1", &out));
  EXPECT_EQ(out, (Bytes{0x00, 0xff, 0xa1}));
  EXPECT_FALSE(HexDecode("abc", &out));
  EXPECT_FALSE(HexDecode("zz", &out));
  const Bytes data = {'a', 'c', 't', 'i', 'v', 'a'};
  EXPECT_EQ(Base64Encode(data), "YWN0aXZh");
  EXPECT_TRUE(Base64Decode("YWN0aXZh", &out));
  EXPECT_EQ(out, data);
  EXPECT_FALSE(Base64Decode("YWN0a*Zh", &out));
  // Empty in, empty out (found by the catalog fuzzer: an empty key field).
  EXPECT_EQ(Base64Encode(Bytes{}), "");
  out = {1};
  EXPECT_TRUE(Base64Decode("", &out));
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace activa
