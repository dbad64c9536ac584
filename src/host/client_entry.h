// One client as the host knows it: the row the host keeps for every machine
// that asked (slmgr /dlc), made durable before the machine is answered.
#ifndef ACTIVA_HOST_CLIENT_ENTRY_H_
#define ACTIVA_HOST_CLIENT_ENTRY_H_

#include <cstdint>
#include <string>

#include "base/uuid.h"

namespace activa {

struct ClientEntry {
  Uuid application_id{};
  Uuid cmid{};
  std::string machine_name;
  Uuid sku_id{};
  std::int64_t last_seen = 0;
  std::uint8_t license_state = 0;
  bool is_virtual_machine = false;
  std::int64_t requests = 1;  // added to the stored count on save
};

}  // namespace activa

#endif  // ACTIVA_HOST_CLIENT_ENTRY_H_
