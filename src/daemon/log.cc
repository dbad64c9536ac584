#include "daemon/log.h"

// Without the CODE_FILE, CODE_LINE and CODE_FUNC fields, which would name
// this file's functions rather than the caller (spdlog's systemd sink
// leaves them out too, and defines this before it includes sd-journal.h).
#define SD_JOURNAL_SUPPRESS_LOCATION

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

namespace activa {
namespace {

spdlog::logger& Logger() {
  // Built on first use, so a start-up error is printed before the
  // configuration (which decides on the journal) has been read.
  static const std::shared_ptr<spdlog::logger> logger = [] {
    auto stderr_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto l = std::make_shared<spdlog::logger>("activad", std::move(stderr_sink));
    l->set_pattern("[%Y-%m-%d %H:%M:%S.%e] activad %l: %v");
    l->set_level(spdlog::level::info);
    return l;
  }();
  return *logger;
}

void Log(spdlog::level::level_enum level, std::string_view message) {
  Logger().log(level, spdlog::string_view_t(message.data(), message.size()));
}

// systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected
// to standard error (systemd.exec(5), "$JOURNAL_STREAM").
bool StderrIsJournal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) return false;
  unsigned long long dev = 0;
  unsigned long long ino = 0;
  if (std::sscanf(stream, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

}  // namespace

void LogInfo(std::string_view message) { Log(spdlog::level::info, message); }
void LogWarning(std::string_view message) { Log(spdlog::level::warn, message); }
void LogError(std::string_view message) { Log(spdlog::level::err, message); }

void LogException(std::string_view what, std::exception_ptr e) {
  std::string why = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    why = ex.what();
  } catch (...) {
  }
  LogError(std::string(what) + " failed: " + why);
}

bool JournalAvailable() { return ::access("/run/systemd/journal/socket", W_OK) == 0; }

void LogToJournal() {
  static bool done = false;
  if (std::exchange(done, true)) return;
  auto& sinks = Logger().sinks();
  if (StderrIsJournal()) sinks.clear();
  sinks.push_back(std::make_shared<spdlog::sinks::systemd_sink_mt>("activad"));
}

std::string_view JournalMessageId(int event_id) {
  // Made once (systemd-id128 new) and never changed: operators' journal
  // queries and catalogs name them.
  switch (event_id) {
    case kEventClientRequest:
      return "ab2cf9d371ac4db5be5b775af60c7abe";
    case kEventClientResult:
      return "aad9182d0c1542a9acde6c784f305426";
    case kEventHostRequest:
      return "4d6a37958c8f4bdb89867e70998dcbfb";
    case kEventDnsFailed:
      return "d9f4636da055494b8789396e786e03b4";
    case kEventDnsPublished:
      return "12c23097fccb4bb5a0e037839497b16b";
    case kEventClearinghouseUnreachable:
      return "3a4b22460c9742508861c2b40ae32319";
    default:
      return "";
  }
}

std::vector<std::string> JournalEventFields(const Event& e) {
  const bool warning =
      e.event_id == kEventDnsFailed || e.event_id == kEventClearinghouseUnreachable;
  std::vector<std::string> fields = {
      "MESSAGE=" + EventText(e),
      "PRIORITY=" + std::to_string(warning ? LOG_WARNING : LOG_INFO),
      "SYSLOG_IDENTIFIER=activad",
      "ACTIVA_EVENT_ID=" + std::to_string(e.event_id),
  };
  std::string_view id = JournalMessageId(e.event_id);
  if (!id.empty()) fields.insert(fields.begin() + 1, "MESSAGE_ID=" + std::string(id));
  return fields;
}

void JournalEvent(const Event& e) {
  // sd_journal_sendv takes each field whole, so a message with a newline
  // or a '%' stays one field (no format string is involved).
  std::vector<std::string> fields = JournalEventFields(e);
  std::vector<iovec> iov;
  iov.reserve(fields.size());
  for (std::string& f : fields) iov.push_back({f.data(), f.size()});
  sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

}  // namespace activa
