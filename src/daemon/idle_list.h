// The host's connections ordered by idle deadline (DESIGN.md section 4): one
// list per event loop instead of a timer and a watchdog per connection.
//
// Every connection has the same idle timeout, so a connection whose deadline
// moves (a whole request was answered) goes to the tail and the list stays
// sorted at O(1) a move. Only a reload that shortens the timeout makes a new
// deadline earlier than the tail's; Touch() then walks back to its place, so
// the list is sorted whatever the configuration did.
//
// Intrusive: a connection is a Node (no allocation per connection or per
// move), and a Node leaves its list when it is destroyed, so a connection
// that ends for any reason needs no bookkeeping. Clear() unlinks every node
// without touching them again (for the list's owner going away before the
// connections' memory).
//
// Pure logic: the caller passes the time. Thread safety: none; one event
// loop's thread.
#ifndef ACTIVA_DAEMON_IDLE_LIST_H_
#define ACTIVA_DAEMON_IDLE_LIST_H_

#include <chrono>
#include <cstddef>

namespace activa {

class IdleList {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  class Node {
   public:
    Node() = default;
    ~Node() { Unlink(); }
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    bool linked() const { return next_ != nullptr; }
    TimePoint deadline() const { return deadline_; }
    // Leaves the list it is in (nothing when in none).
    void Unlink() {
      if (next_ == nullptr) return;
      prev_->next_ = next_;
      next_->prev_ = prev_;
      prev_ = next_ = nullptr;
      --*size_;
      size_ = nullptr;
    }

   private:
    friend class IdleList;
    TimePoint deadline_{};
    Node* prev_ = nullptr;
    Node* next_ = nullptr;
    std::size_t* size_ = nullptr;  // the list's count, while linked
  };

  IdleList() { head_.prev_ = head_.next_ = &head_; }
  ~IdleList() {
    Clear();
    head_.prev_ = head_.next_ = nullptr;  // the sentinel's own destructor: nothing to leave
  }
  IdleList(const IdleList&) = delete;
  IdleList& operator=(const IdleList&) = delete;

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  // Puts `n` (in this list or in none) at its place for `deadline`: the
  // tail, unless an earlier configuration left later deadlines there.
  void Touch(Node& n, TimePoint deadline) {
    n.Unlink();
    n.deadline_ = deadline;
    Node* after = head_.prev_;
    while (after != &head_ && after->deadline_ > deadline) after = after->prev_;
    n.prev_ = after;
    n.next_ = after->next_;
    after->next_->prev_ = &n;
    after->next_ = &n;
    n.size_ = &size_;
    ++size_;
  }

  // The node with the earliest deadline if that deadline is at or before
  // `now`, unlinked; null when none has expired.
  Node* PopExpired(TimePoint now) {
    Node* first = head_.next_;
    if (first == &head_ || first->deadline_ > now) return nullptr;
    first->Unlink();
    return first;
  }

  // Unlinks every node (their memory is not touched after this).
  void Clear() {
    for (Node* n = head_.next_; n != &head_;) {
      Node* next = n->next_;
      n->prev_ = n->next_ = nullptr;
      n->size_ = nullptr;
      n = next;
    }
    head_.prev_ = head_.next_ = &head_;
    size_ = 0;
  }

 private:
  Node head_;  // the sentinel: head_.next_ is the earliest deadline
  std::size_t size_ = 0;
};

}  // namespace activa

#endif  // ACTIVA_DAEMON_IDLE_LIST_H_
