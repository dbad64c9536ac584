// A tiny HTTP CONNECT proxy for the tests (docs/activad.md, "Through a
// proxy"): listens on 127.0.0.1, a port the kernel chooses, prints
// "PORT <n>", and for each CONNECT prints "CONNECT <host:port>" and relays
// bytes both ways. Anything else gets 405. Loopback only, no
// authentication: it is test harness, never shipped.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace {

std::mutex out_mutex;

void Say(const std::string& line) {
  std::lock_guard<std::mutex> lock(out_mutex);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void SendAll(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<std::size_t>(n);
  }
}

int Dial(const std::string& target) {
  std::size_t colon = target.rfind(':');
  if (colon == std::string::npos) return -1;
  std::string host = target.substr(0, colon);
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(host.c_str(), target.substr(colon + 1).c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a != nullptr && fd < 0; a = a->ai_next) {
    fd = ::socket(a->ai_family, SOCK_STREAM, 0);
    if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(res);
  return fd;
}

void Serve(int client) {
  std::string head;
  char c;
  // Byte by byte up to the blank line, so nothing after the header (the
  // TLS handshake) is read here.
  while (head.size() < 8192 && head.find("\r\n\r\n") == std::string::npos) {
    if (::recv(client, &c, 1, 0) != 1) {
      ::close(client);
      return;
    }
    head += c;
  }
  if (head.rfind("CONNECT ", 0) != 0) {
    SendAll(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
    ::close(client);
    return;
  }
  std::string target = head.substr(8, head.find(' ', 8) - 8);
  Say("CONNECT " + target);
  int server = Dial(target);
  if (server < 0) {
    SendAll(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
    ::close(client);
    return;
  }
  SendAll(client, "HTTP/1.1 200 Connection established\r\n\r\n");
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  char buf[16384];
  for (;;) {
    if (::poll(fds, 2, 30000) <= 0) break;
    bool done = false;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      ssize_t n = ::recv(fds[i].fd, buf, sizeof buf, 0);
      if (n <= 0) {
        done = true;
        break;
      }
      SendAll(fds[1 - i].fd, std::string(buf, static_cast<std::size_t>(n)));
    }
    if (done) break;
  }
  ::close(server);
  ::close(client);
}

}  // namespace

int main() {
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::listen(listener, 16) != 0) {
    std::perror("listen");
    return 1;
  }
  socklen_t len = sizeof a;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &len);
  Say("PORT " + std::to_string(ntohs(a.sin_port)));
  for (;;) {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0) continue;
    std::thread(Serve, client).detach();
  }
}
