// The spec ring in process: every case of tests/spec/**/*.md run through memory_transport, on
// a worker whose sites come from the same configuration loader as `teapot serve --config`.
// No socket, no thread: the whole ring takes well under a second.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "config/load.h"
#include "config/pipeline.h"
#include "io/work_pool.h"
#include "replies.h"
#include "server/memory_transport.h"
#include "server/site_table.h"
#include "server/worker.h"
#include "spec_cases.h"

namespace teapot::spec {

// gtest names the case this way when it fails, rather than dumping its bytes.
void PrintTo(const spec_case& c, std::ostream* os) {
  *os << c.file << ":" << c.line << ": " << c.heading;
}

namespace {

namespace fs = std::filesystem;

const fs::path spec_root = TEAPOT_SPEC_DIR;
// Every file of the docroot copy has this modification time, so that Last-Modified and the
// date conditionals are exact: Mon, 01 Jan 2024 00:00:00 GMT.
constexpr std::time_t fixed_mtime = 1704067200;

// tests/spec/site and tests/spec/config copied to a scratch directory for the run.
class scratch_copy final : public ::testing::Environment {
 public:
  static const fs::path& dir() {
    static const fs::path d = make();
    return d;
  }
  void TearDown() override { fs::remove_all(dir()); }

 private:
  static fs::path make() {
    const fs::path d = fs::temp_directory_path() / ("teapot-spec-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    for (const char* part : {"site", "config"})
      fs::copy(spec_root / part, d / part, fs::copy_options::recursive);
    const timespec times[2] = {{fixed_mtime, 0}, {fixed_mtime, 0}};
    for (const auto& e : fs::recursive_directory_iterator(d / "site"))
      ::utimensat(AT_FDCWD, e.path().c_str(), times, AT_SYMLINK_NOFOLLOW);
    return d;
  }
};

[[maybe_unused]] ::testing::Environment* const scratch_env =
    ::testing::AddGlobalTestEnvironment(new scratch_copy);

// What `teapot serve --config FILE` would run, without its listeners and threads.
class ring_server {
 public:
  explicit ring_server(const fs::path& file) {
    config::load_result loaded = config::load_config(file);
    if (!loaded.config) {
      std::string all;
      for (const auto& e : loaded.errors)
        all += config::format_error(e) + "\n";
      throw std::runtime_error(all);
    }
    config::logs logs;
    logs.errors = std::make_shared<error_log>(log_file::standard_error(), log_level::error);
    options_ = config::server_options_of(*loaded.config, logs);
    auto sites = std::make_shared<srv::site_set>();
    config::build_sites(*loaded.config,
                        {.add = [&sites](std::vector<std::string> hosts) -> site& {
                           sites->added.push_back(std::make_unique<site>(std::move(hosts)));
                           return *sites->added.back();
                         },
                         .make_default = [&sites](site& s) { sites->chosen_default = &s; }},
                        logs);
    sites->index(options_.strict_hosts);
    parser_config_ = srv::parser_config_for(options_);
    worker_ =
        std::make_unique<srv::worker>(options_, std::move(sites), parser_config_, counts_, pool_);
  }

  srv::memory_transport::result run(std::string input) {
    srv::memory_transport t(*worker_);
    return t.run(std::move(input));
  }

 private:
  server_options options_;
  h1::parser_config parser_config_;
  srv::connection_counts counts_;
  std::unique_ptr<srv::worker> worker_;
  // After the worker, as in teapot::server: destroyed first, it joins before the loop its
  // work posts to is gone.
  io::work_pool pool_{1};
};

ring_server& server_for(const std::string& config) {
  static std::map<std::string, std::unique_ptr<ring_server>> servers;
  auto& s = servers[config];
  if (!s) s = std::make_unique<ring_server>(scratch_copy::dir() / "config" / config);
  return *s;
}

std::string error_of_reading;

std::vector<spec_case> all_cases() {
  try {
    return read_spec_tree(spec_root);
  } catch (const std::exception& e) {
    error_of_reading = e.what();
    spec_case broken;
    broken.file = "(reading)";
    broken.heading = "the spec files can be read";
    return {broken};
  }
}

// {{etag:/path}}: the ETag a GET of that path gets now.
std::string resolve(ring_server& server, std::string input) {
  while (const auto p = find_placeholder(input)) {
    const auto r = server.run("GET " + p->path + " HTTP/1.1\r\nHost: spec.test\r\n\r\n");
    std::size_t pos = 0;
    std::string error;
    const auto got = read_reply(r.output, pos, false, error);
    const std::optional<std::string> tag = got ? got->field("ETag") : std::nullopt;
    if (!tag) throw std::runtime_error("no ETag for " + p->path + ": " + error);
    input.replace(p->at, p->length, *tag);
  }
  return input;
}

const char* name_of(connection_after a) {
  switch (a) {
    case connection_after::open:
      return "open";
    case connection_after::closed:
      return "closed";
    case connection_after::waiting:
      return "waiting";
  }
  return "?";
}

connection_after from(srv::memory_transport::state s) {
  switch (s) {
    case srv::memory_transport::state::open:
      return connection_after::open;
    case srv::memory_transport::state::closed:
      return connection_after::closed;
    case srv::memory_transport::state::waiting:
      return connection_after::waiting;
  }
  return connection_after::open;
}

void check(const expected_response& want, const reply& got) {
  SCOPED_TRACE("response block at line " + std::to_string(want.line));
  EXPECT_EQ(got.status_line, want.status_line);
  for (const field_check& f : want.fields) {
    const std::optional<std::string> value = got.field(f.name);
    switch (f.kind) {
      case field_check_kind::present:
        EXPECT_TRUE(value.has_value()) << f.name << " is missing";
        break;
      case field_check_kind::absent:
        EXPECT_FALSE(value.has_value()) << f.name << " is there: " << value.value_or("");
        break;
      case field_check_kind::equals:
        EXPECT_EQ(value.value_or("(absent)"), f.value) << "field " << f.name;
        break;
      case field_check_kind::contains:
        EXPECT_NE(value.value_or("").find(f.value), std::string::npos)
            << f.name << ": " << value.value_or("(absent)") << " lacks " << f.value;
        break;
    }
  }
  if (want.body) {
    EXPECT_EQ(got.body, *want.body) << "the body";
  }
  for (const std::string& part : want.body_contains)
    EXPECT_NE(got.body.find(part), std::string::npos) << "the body lacks " << part << ":\n"
                                                      << got.body.substr(0, 400);
}

class spec_ring : public ::testing::TestWithParam<spec_case> {};

TEST_P(spec_ring, holds) {
  const spec_case& c = GetParam();
  ASSERT_TRUE(error_of_reading.empty()) << error_of_reading;
  SCOPED_TRACE(c.file + ":" + std::to_string(c.line) + ": " + c.heading);
  ring_server& server = server_for(c.config);
  const srv::memory_transport::result r = server.run(resolve(server, c.input));
  std::size_t pos = 0;
  std::size_t request = 0;
  for (const expected_response& want : c.responses) {
    if (want.status_line.empty()) continue;  // "no response"
    const bool head = request < c.methods.size() && c.methods[request] == "HEAD";
    std::string error;
    std::size_t at = pos;
    std::optional<reply> got = read_reply(r.output, at, head, error);
    // A HEAD's 1xx carries no content either way; only a final response ends a request.
    ASSERT_TRUE(got.has_value()) << error << " (expected " << want.status_line << "); output:\n"
                                 << r.output;
    pos = at;
    if (got->status >= 200) ++request;
    check(want, *got);
  }
  EXPECT_EQ(r.output.substr(pos), "") << "bytes after the last expected response";
  EXPECT_STREQ(name_of(from(r.after)), name_of(c.after)) << "the connection after";
}

std::string test_name(const ::testing::TestParamInfo<spec_case>& info) {
  std::string name =
      info.param.file.substr(0, info.param.file.rfind('.')) + "_" + std::to_string(info.param.line);
  for (char& ch : name)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(cases, spec_ring, ::testing::ValuesIn(all_cases()), test_name);

}  // namespace

}  // namespace teapot::spec
