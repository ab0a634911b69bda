#include "server/delta/version_store.h"

#include <utility>

namespace teapot::srv::delta {

const version_store::version* version_store::lookup(std::string_view path,
                                                    std::string_view opaque) const {
  const auto p = by_path_.find(std::string(path));
  if (p == by_path_.end()) return nullptr;
  for (const order::iterator& it : p->second)
    if (it->opaque == opaque) return &*it;
  return nullptr;
}

std::shared_ptr<const std::string> version_store::find(std::string_view path,
                                                       std::string_view opaque) const {
  const std::lock_guard lock(mutex_);
  const version* v = lookup(path, opaque);
  return v ? v->bytes : nullptr;
}

bool version_store::contains(std::string_view path, std::string_view opaque) const {
  const std::lock_guard lock(mutex_);
  return lookup(path, opaque) != nullptr;
}

void version_store::drop(order::iterator it) {
  const auto p = by_path_.find(it->path);
  p->second.remove(it);
  if (p->second.empty()) by_path_.erase(p);
  bytes_ -= it->bytes->size();
  versions_.erase(it);
}

void version_store::keep(std::string_view path, std::string_view opaque,
                         std::shared_ptr<const std::string> bytes) {
  if (!bytes || per_path_ == 0 || bytes->size() > max_bytes_) return;
  const std::lock_guard lock(mutex_);
  if (lookup(path, opaque) != nullptr) return;
  const std::size_t size = bytes->size();
  versions_.push_back({std::string(path), std::string(opaque), std::move(bytes)});
  auto& mine = by_path_[versions_.back().path];
  mine.push_back(std::prev(versions_.end()));
  bytes_ += size;
  while (mine.size() > per_path_)
    drop(mine.front());
  while (bytes_ > max_bytes_)
    drop(versions_.begin());
}

std::uint64_t version_store::size() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace teapot::srv::delta
