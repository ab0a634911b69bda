// Which turn of its event loop the calling thread is in: an event loop counts one each time
// epoll_wait returns, before it handles what came. 0 on a thread that runs no loop.
//
// A worker's caches use it to check a file once per turn rather than once per request. A
// client that changes a file and then sends a request gets the new file whenever its request
// is read in a later turn than the check: always on an idle server; under load, a request
// read during the very turn that made the check (the same few milliseconds) may get the file
// as that check found it.
#pragma once

#include <cstdint>

namespace teapot::base {

inline thread_local std::uint64_t loop_turn = 0;

}  // namespace teapot::base
