// Opening names below the served root without ever leaving it.
#pragma once

namespace teapot::handlers::static_files {

// Opens relative (no leading '/', no ".." left after normalization) below dir_fd, read-only.
// With beneath set, openat2's RESOLVE_BENEATH makes the kernel refuse any resolution, through
// ".." or a symbolic link, that would leave the directory (EXDEV), with no race between check
// and use; without it, symbolic links may point anywhere. Magic links (/proc/self/fd/...) are
// never followed. Returns the descriptor, or -1 with errno set.
int open_below(int dir_fd, const char* relative, bool beneath) noexcept;

}  // namespace teapot::handlers::static_files
