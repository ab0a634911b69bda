// The caches a worker thread keeps for the handlers it runs (open descriptors, file bytes), and
// when they are let go: a worker that adopts new sites at a reload calls
// release_thread_caches() on its own thread, so that what the old sites' handlers kept is
// closed then, on every worker, rather than at whichever later request happens to reach that
// handler's code on that thread (on a worker that no such request reaches, never).
//
// Thread contract: the registry is per thread. A release function runs only on the thread that
// registered it, the only thread that touches the caches it releases.
#pragma once

#include <algorithm>
#include <vector>

namespace teapot::base {

using release_fn = void (*)() noexcept;

namespace detail {
inline thread_local std::vector<release_fn> thread_cache_releasers;
}  // namespace detail

// Registers fn to run on this thread at every release; registering it again changes nothing.
inline void on_release_thread_caches(release_fn fn) {
  std::vector<release_fn>& fns = detail::thread_cache_releasers;
  if (std::find(fns.begin(), fns.end(), fn) == fns.end()) fns.push_back(fn);
}

// Runs the functions registered on this thread, in the order they were registered.
inline void release_thread_caches() noexcept {
  for (release_fn fn : detail::thread_cache_releasers)
    fn();
}

}  // namespace teapot::base
