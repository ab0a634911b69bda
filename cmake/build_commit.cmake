# cmake -DSOURCE_DIR=... -DOUT=... -P build_commit.cmake
# Writes OUT, a C++ file that defines the short hash of SOURCE_DIR's checked-out commit
# ("unknown" outside a git checkout of it, as in a source archive). It runs at every build but
# rewrites OUT only when the hash changes, so that a new commit recompiles this one file and
# relinks the command, and nothing else.
set(commit unknown)
find_package(Git QUIET)
if(GIT_FOUND)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --show-toplevel --short HEAD
                  WORKING_DIRECTORY ${SOURCE_DIR}
                  OUTPUT_VARIABLE out RESULT_VARIABLE failed ERROR_QUIET
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT failed)
    string(REPLACE "\n" ";" out "${out}")
    list(GET out 0 top)
    list(GET out 1 hash)
    file(REAL_PATH ${top} top)
    file(REAL_PATH ${SOURCE_DIR} source)
    # A source archive unpacked inside some other checkout is not that checkout's commit.
    if(top STREQUAL source)
      set(commit ${hash})
    endif()
  endif()
endif()
set(text "// Written by cmake/build_commit.cmake at build time.\n\
#include \"version.h\"\n\
\n\
namespace teapot::app {\n\
const char* const build_commit = \"${commit}\";\n\
}  // namespace teapot::app\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
endif()
if(NOT old STREQUAL text)
  file(WRITE ${OUT} "${text}")
endif()
