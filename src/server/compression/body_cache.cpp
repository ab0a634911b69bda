#include "server/compression/body_cache.h"

#include <utility>

namespace teapot::srv::compression {

const std::string* body_cache::find(std::string_view key, std::uint64_t identity_length) {
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  entry_list::iterator e = it->second;
  if (e->identity_length != identity_length) return nullptr;
  entries_.splice(entries_.begin(), entries_, e);
  return &e->body;
}

void body_cache::store(std::string_view key, std::uint64_t identity_length, std::string body) {
  const std::size_t cost = key.size() + body.size();
  if (cost > max_bytes_ / 4) return;
  if (auto it = index_.find(key); it != index_.end()) {
    bytes_ -= it->second->key.size() + it->second->body.size();
    entries_.erase(it->second);
    index_.erase(it);
  }
  evict_until(cost);
  entries_.push_front({std::string(key), identity_length, std::move(body)});
  index_.emplace(entries_.front().key, entries_.begin());
  bytes_ += cost;
}

void body_cache::evict_until(std::size_t room) {
  while (!entries_.empty() && bytes_ + room > max_bytes_) {
    entry& last = entries_.back();
    bytes_ -= last.key.size() + last.body.size();
    index_.erase(last.key);
    entries_.pop_back();
  }
}

body_cache& body_cache::for_this_thread() {
  thread_local body_cache cache;
  return cache;
}

}  // namespace teapot::srv::compression
