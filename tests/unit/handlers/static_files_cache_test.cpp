// The static handler's per-thread caches as a worker's reload sees them: released on the thread
// that kept them, when that thread's worker adopts new sites (base/thread_caches.h).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "base/thread_caches.h"
#include "teapot/handlers/static_files.h"

namespace teapot::handlers {
namespace {

namespace fs = std::filesystem;

class static_files_cache : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("teapot-static-cache-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Larger than a cache keeps as bytes: the cache keeps its descriptor instead.
    std::ofstream(big()) << std::string(100'000, 'x');
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path big() const { return dir_ / "big.bin"; }

  handler make_handler() const {
    static_files_options o;
    o.root = dir_;
    return make_static_files(std::move(o));
  }

  // How many descriptors of this process are open on the big file.
  int descriptors_of_big() const {
    int n = 0;
    for (const auto& fd : fs::directory_iterator("/proc/self/fd")) {
      std::error_code ec;
      if (fs::read_symlink(fd.path(), ec) == big()) ++n;
    }
    return n;
  }

  // GET /big.bin on the calling thread; the response has let go of the file when this returns.
  static void serve(const handler& h) {
    std::vector<header_field> headers{{"Host", "site.test"}};
    request req;
    req.method = "GET";
    req.target = "/big.bin";
    req.path = "/big.bin";
    req.headers = headers;
    response res;
    h(req, res);
    EXPECT_EQ(res.status(), http::status::ok);
  }

  fs::path dir_;
};

TEST_F(static_files_cache, a_release_closes_the_descriptors_the_thread_kept_for_its_handlers) {
  handler h = make_handler();
  serve(h);
  EXPECT_EQ(descriptors_of_big(), 1);  // kept for the next request
  base::release_thread_caches();
  EXPECT_EQ(descriptors_of_big(), 0);
  serve(h);  // a handler still in use fills its cache again
  EXPECT_EQ(descriptors_of_big(), 1);
  base::release_thread_caches();
  EXPECT_EQ(descriptors_of_big(), 0);
}

TEST_F(static_files_cache, a_release_leaves_the_caches_of_other_threads_alone) {
  handler h = make_handler();
  std::promise<void> served, released_here;
  int kept_after_release_elsewhere = -1;
  std::thread worker([&] {
    serve(h);
    served.set_value();
    released_here.get_future().wait();
    kept_after_release_elsewhere = descriptors_of_big();
    base::release_thread_caches();
  });
  served.get_future().wait();
  base::release_thread_caches();
  released_here.set_value();
  worker.join();
  EXPECT_EQ(kept_after_release_elsewhere, 1);
  EXPECT_EQ(descriptors_of_big(), 0);
}

}  // namespace
}  // namespace teapot::handlers
