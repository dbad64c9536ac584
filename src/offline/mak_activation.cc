#include "offline/mak_activation.h"

namespace activa {
namespace {

constexpr std::int64_t kSecondsPerDay = 86400;

// Everything in the record but the signature; the same on both sides, since
// the machine must arrive at the bytes the vendor signed.
MakActivation UnsignedRecord(const InstallationId& iid, const Uuid& vendor_id,
                             const Uuid& edition_id, std::uint16_t issue_day) {
  MakActivation a;
  a.vendor_id = vendor_id;
  a.machine_tag = iid.machine_tag;
  a.machine_public_key = iid.host_public_key;
  a.edition_id = edition_id;
  a.mak_key_id = ProductKeyId(iid.host_key);
  a.issue_day = issue_day;
  return a;
}

}  // namespace

MachineTag MachineTagOf(const Uuid& cmid) {
  std::array<std::uint8_t, 16> h;
  Blake2b(h, cmid);
  MachineTag tag;
  std::copy_n(h.begin(), tag.size(), tag.begin());
  return tag;
}

Bytes MakActivationSignedBytes(const MakActivation& a) {
  ByteWriter w;
  w.Raw(a.vendor_id);
  w.Raw(a.machine_tag);
  w.Raw(a.machine_public_key);
  w.Raw(a.edition_id);
  w.Raw(a.mak_key_id);
  w.U16(a.issue_day);
  return w.Take();
}

ConfirmationId IssueMakActivation(const InstallationId& iid, const Uuid& vendor_id,
                                  const Uuid& edition_id, const SigningKey& vendor_key,
                                  std::int64_t now) {
  const auto day = static_cast<std::uint16_t>(now / kSecondsPerDay);
  MakActivation a = UnsignedRecord(iid, vendor_id, edition_id, day);
  ConfirmationId cid;
  cid.issue_day = day;
  cid.valid_days = kMakValidDays;
  cid.signature = vendor_key.Sign(kMakActivationContext, MakActivationSignedBytes(a));
  return cid;
}

bool VerifyMakActivation(const MakActivation& a, const PublicKey& vendor_key) {
  return Verify(vendor_key, kMakActivationContext, MakActivationSignedBytes(a), a.signature);
}

Result<MakActivation> MakActivationFromConfirmation(const InstallationId& iid,
                                                    const ConfirmationId& cid,
                                                    const Catalog& catalog) {
  if (iid.host_key.kind != KeyKind::kMak) {
    return Status(ResultCode::kWrongKeyKind, "the installation ID does not hold a MAK");
  }
  const Edition* edition = catalog.FindEditionByCode(iid.host_key.item);
  if (edition == nullptr) {
    return Status(ResultCode::kInvalidKey,
                  "the MAK names an edition that " + catalog.vendor_name + "'s catalog lacks");
  }
  const Status wrong(ResultCode::kBadSignature,
                     "the confirmation ID was not issued for this installation ID by " +
                         catalog.vendor_name +
                         "; check that it answers the ID that `slmgr /dti` shows");
  // A host's confirmation carries its certificate's days; a MAK's never ends.
  if (cid.valid_days != kMakValidDays) return wrong;
  MakActivation a = UnsignedRecord(iid, catalog.vendor_id, edition->id, cid.issue_day);
  a.signature = cid.signature;
  for (const PublicKey& key : catalog.vendor_keys) {
    if (VerifyMakActivation(a, key)) return a;
  }
  return wrong;
}

}  // namespace activa
