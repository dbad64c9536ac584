// A stand-in for activad in tests: listens on a Unix socket in a fresh
// temporary folder and answers each request line with whatever the test's
// handler returns. Test-only; not part of activa_net.
#ifndef ACTIVA_NET_FAKE_LINE_SERVER_H_
#define ACTIVA_NET_FAKE_LINE_SERVER_H_

#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace activa::net {

class FakeLineServer {
 public:
  struct Reply {
    std::string bytes;   // sent as is: include the '\n' for a proper line
    bool hang = false;   // send nothing and keep the connection open
    bool close = false;  // close the connection after sending `bytes`
  };
  using Handler = std::function<Reply(const std::string& request_line)>;

  explicit FakeLineServer(Handler handler) : handler_(std::move(handler)) {
    char dir[] = "/tmp/activa_line_XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    path_ = dir_ + "/activad.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path_.c_str(), sizeof addr.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listen_fd_, 8) != 0) {
      throw std::runtime_error("bind/listen failed");
    }
    thread_ = std::thread([this] { Serve(); });
  }

  FakeLineServer(const FakeLineServer&) = delete;
  FakeLineServer& operator=(const FakeLineServer&) = delete;

  ~FakeLineServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
    std::filesystem::remove_all(dir_);
  }

  const std::string& socket_path() const { return path_; }
  const std::string& dir() const { return dir_; }

  // The request lines received so far, without their newlines.
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  bool WaitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  void Serve() {
    while (WaitReadable(listen_fd_)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::string buffer;
      char chunk[4096];
      while (WaitReadable(fd)) {
        ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        buffer.append(chunk, static_cast<std::size_t>(n));
        std::size_t newline;
        bool hang = false;
        while ((newline = buffer.find('\n')) != std::string::npos) {
          std::string line = buffer.substr(0, newline);
          buffer.erase(0, newline + 1);
          {
            std::lock_guard<std::mutex> lock(mu_);
            requests_.push_back(line);
          }
          Reply reply = handler_(line);
          if (reply.hang) {
            hang = true;
            break;
          }
          ::send(fd, reply.bytes.data(), reply.bytes.size(), MSG_NOSIGNAL);
          if (reply.close) {
            ::shutdown(fd, SHUT_RDWR);  // the next recv sees the end and closes
            break;
          }
        }
        if (hang) {
          while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
      }
      ::close(fd);
    }
  }

  Handler handler_;
  std::string dir_;
  std::string path_;
  int listen_fd_ = -1;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace activa::net

#endif  // ACTIVA_NET_FAKE_LINE_SERVER_H_
