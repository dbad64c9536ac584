#include "tls/tls_identity.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <utility>

#include "base/bytes.h"
#include "base/file_util.h"

namespace activa::tls {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using X509Ptr = std::unique_ptr<X509, X509Free>;

Status OpenSslError(const std::string& what) {
  return Status(ResultCode::kInternal, what + " failed (OpenSSL)");
}

// The PEM text a memory BIO holds.
std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, n > 0 ? static_cast<std::size_t>(n) : 0);
}

bool AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return false;
  bool ok = X509_add_ext(cert, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// The first certificate of the PEM file at `path`.
Result<X509Ptr> ReadCertificate(const std::string& path) {
  Result<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  if (!bio) return OpenSslError("BIO_new_mem_buf");
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    return Status(ResultCode::kInvalidData, path + " holds no PEM certificate");
  }
  return cert;
}

}  // namespace

Status EnsureSelfSignedIdentity(const std::string& cert_path, const std::string& key_path,
                                const SelfSignedOptions& options) {
  bool have_cert = std::filesystem::exists(cert_path);
  bool have_key = std::filesystem::exists(key_path);
  if (have_cert && have_key) return Status::Ok();
  if (have_cert != have_key) {
    return Status(ResultCode::kFileExists,
                  (have_cert ? cert_path : key_path) + " exists without " +
                      (have_cert ? key_path : cert_path) +
                      "; remove it to have a new self-signed certificate made, or " +
                      options.remedy);
  }
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("generating the P-256 key");
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  X509_set_version(cert.get(), 2);
  // A random 127-bit serial, as RFC 5280 section 4.1.2.2 asks (positive).
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) return OpenSslError("RAND_bytes");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  if (bn == nullptr || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(bn);
    return OpenSslError("setting the serial");
  }
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 86400);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(options.common_name.c_str()),
                             -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  std::string alt_names;
  for (const std::string& n : options.alt_names) alt_names += (alt_names.empty() ? "" : ",") + n;
  if (!AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE") ||
      (!alt_names.empty() && !AddExtension(cert.get(), NID_subject_alt_name, alt_names.c_str())) ||
      !AddExtension(cert.get(), NID_ext_key_usage, "serverAuth")) {
    return OpenSslError("adding the certificate's extensions");
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("X509_sign");

  BioPtr key_pem(BIO_new(BIO_s_mem()));
  BioPtr cert_pem(BIO_new(BIO_s_mem()));
  if (!key_pem || !cert_pem ||
      PEM_write_bio_PrivateKey(key_pem.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
          1 ||
      PEM_write_bio_X509(cert_pem.get(), cert.get()) != 1) {
    return OpenSslError("writing PEM");
  }
  std::string key_text = BioText(key_pem.get());
  // The key first, private from its first byte: a certificate without its
  // key is refused above, so a crash between the two is visible.
  Status s = WriteFileAtomic(key_path, key_text, 0600, /*overwrite=*/false);
  OPENSSL_cleanse(key_text.data(), key_text.size());
  ACTIVA_RETURN_IF_ERROR(s);
  return WriteFileAtomic(cert_path, BioText(cert_pem.get()), 0644, /*overwrite=*/false);
}

Result<std::string> SpkiPinOfCertificateFile(const std::string& path) {
  Result<X509Ptr> cert = ReadCertificate(path);
  if (!cert.ok()) return cert.status();
  unsigned char* der = nullptr;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert->get()), &der);
  if (n <= 0) return OpenSslError("encoding the SubjectPublicKeyInfo");
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<std::size_t>(n), digest);
  OPENSSL_free(der);
  std::string hex = HexEncode(ByteSpan(digest, sizeof digest));
  for (char& c : hex) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return "sha256:" + hex;
}

bool IsWellFormedSpkiPin(const std::string& pin) {
  if (pin.size() != 7 + 64 || pin.compare(0, 7, "sha256:") != 0) return false;
  for (std::size_t i = 7; i < pin.size(); ++i) {
    char c = pin[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string CertificateFingerprint(ByteSpan der) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der.data(), der.size(), digest);
  std::string b64 = Base64Encode(ByteSpan(digest, sizeof digest));
  // OpenSSH leaves the padding off (ssh-keygen -l).
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

Result<std::string> CertificateFingerprintOfFile(const std::string& path) {
  Result<X509Ptr> cert = ReadCertificate(path);
  if (!cert.ok()) return cert.status();
  unsigned char* der = nullptr;
  int n = i2d_X509(cert->get(), &der);
  if (n <= 0) return OpenSslError("encoding the certificate");
  std::string fingerprint = CertificateFingerprint(ByteSpan(der, static_cast<std::size_t>(n)));
  OPENSSL_free(der);
  return fingerprint;
}

}  // namespace activa::tls
