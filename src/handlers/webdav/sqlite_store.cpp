// The store of store.h in one SQLite database: one connection behind a mutex (calls come
// from the blocking-work pool's threads, and each is short); WAL, so that a reader never
// waits for a writer (a second store on the same file, as during a reload); and
// synchronous=NORMAL, with which a power cut may undo the last transactions but never
// corrupts the file. Lock expiries are kept to the millisecond.
#include <sqlite3.h>

#include <mutex>
#include <stdexcept>
#include <utility>

#include "handlers/webdav/sqlite_db.h"
#include "handlers/webdav/store.h"

namespace teapot::handlers::webdav {

namespace {

// PRAGMA user_version of the schema below. A database of another version is refused: a newer
// teapot may have written it in a way this one would misread.
constexpr std::int64_t schema_version = 1;

// Paths compare byte by byte (the BINARY collation), which the range queries rely on. Lock
// expiries are milliseconds since the Unix epoch.
constexpr const char* schema = R"sql(
CREATE TABLE properties (
  path TEXT NOT NULL,
  ns TEXT NOT NULL,
  local TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (path, ns, local)
) WITHOUT ROWID;
CREATE TABLE locks (
  token TEXT PRIMARY KEY NOT NULL,
  root TEXT NOT NULL,
  exclusive INTEGER NOT NULL,
  infinite INTEGER NOT NULL,
  owner TEXT NOT NULL,
  timeout_s INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL
);
CREATE INDEX locks_by_root ON locks (root);
CREATE INDEX locks_by_expiry ON locks (expires_ms);
)sql";

constexpr std::chrono::milliseconds busy_timeout{5000};

// A path and what is below it, as bounds of a range: below `path` lie exactly the paths p
// with lo < p < hi, lo being path + "/" and hi path + "0" ('0' is the byte after '/'). A
// range, unlike LIKE, gives '%' and '_' in names no meaning, and never takes "/ab" for a
// member of "/a". The root's members are all the paths but "/".
struct tree_bounds {
  std::string self;
  std::string lo;
  std::string hi;
};

tree_bounds bounds_of(std::string_view path) {
  tree_bounds b{std::string(path), std::string(path), {}};
  if (b.lo.empty() || b.lo.back() != '/') b.lo += '/';
  b.hi = b.lo;
  b.hi.back() = '0';
  return b;
}

// "/a/b/c" → "/", "/a", "/a/b": the paths whose Depth-infinity locks reach it.
std::vector<std::string_view> ancestors_of(std::string_view path) {
  std::vector<std::string_view> out;
  if (path == "/" || path.empty()) return out;
  out.emplace_back(path.substr(0, 1));
  for (std::size_t slash = path.find('/', 1); slash != std::string_view::npos;
       slash = path.find('/', slash + 1))
    out.push_back(path.substr(0, slash));
  return out;
}

std::int64_t to_ms(lock_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

lock_clock::time_point from_ms(std::int64_t ms) {
  return lock_clock::time_point(
      std::chrono::duration_cast<lock_clock::duration>(std::chrono::milliseconds(ms)));
}

lock_record read_lock(const sqlite::use& u) {
  lock_record l;
  l.token = u.text(0);
  l.root = u.text(1);
  l.exclusive = u.integer(2) != 0;
  l.infinite = u.integer(3) != 0;
  l.owner_xml = u.text(4);
  l.timeout = std::chrono::seconds(u.integer(5));
  l.expires = from_ms(u.integer(6));
  return l;
}

// Refuses a file of another program, or of a schema this build does not know; creates the
// schema in a file that has none yet (checked again inside the transaction, since another
// process may be opening the same new file).
void prepare_schema(sqlite::connection& db, const std::filesystem::path& file) {
  auto check_version = [&db, &file]() {
    const std::int64_t version = db.integer("PRAGMA user_version");
    if (version == 0 && db.integer("SELECT count(*) FROM sqlite_schema") != 0)
      throw std::runtime_error("'" + file.string() +
                               "' is an SQLite database of another program, not a WebDAV "
                               "database of teapot");
    if (version != 0 && version != schema_version)
      throw std::runtime_error("'" + file.string() + "' is a WebDAV database of schema " +
                               std::to_string(version) + "; this teapot reads schema " +
                               std::to_string(schema_version) + " only");
    return version;
  };
  if (check_version() == schema_version) return;
  sqlite::transaction_statements statements(db);
  sqlite::transaction t(statements);
  if (check_version() == schema_version) return;
  db.exec(schema);
  db.exec(("PRAGMA user_version = " + std::to_string(schema_version)).c_str());
  t.commit();
}

void configure(sqlite::connection& db, const std::filesystem::path& file) {
  db.check(sqlite3_busy_timeout(db.handle(), static_cast<int>(busy_timeout.count())),
           "busy timeout");
  // Reading the header first: a file that is no database fails here, before anything is
  // written into it.
  static_cast<void>(db.integer("PRAGMA user_version"));
  prepare_schema(db, file);
  if (db.text("PRAGMA journal_mode = WAL") != "wal")
    throw std::runtime_error("'" + file.string() + "' cannot be used in WAL mode");
  db.exec("PRAGMA synchronous = NORMAL");
}

class sqlite_store final : public store {
 public:
  explicit sqlite_store(const std::filesystem::path& file) : db_(file), st_(open(db_, file)) {}

  std::vector<dead_property> properties(std::string_view path) override;
  void apply(std::string_view path, std::span<const proppatch_instruction> patch) override;
  void copy_properties(std::string_view from, std::string_view to, bool deep) override;
  void move_properties(std::string_view from, std::string_view to) override;
  void remove_properties(std::string_view path) override;

  std::vector<lock_record> locks_covering(std::string_view path,
                                          lock_clock::time_point now) override;
  std::vector<lock_record> locks_below(std::string_view path, lock_clock::time_point now) override;
  std::optional<lock_record> find_lock(std::string_view token, lock_clock::time_point now) override;
  void add_lock(const lock_record& lock) override;
  bool refresh_lock(std::string_view token, std::chrono::seconds timeout,
                    lock_clock::time_point now) override;
  bool remove_lock(std::string_view token) override;
  void remove_locks(std::string_view path) override;

 private:
  // Every statement the store runs, prepared once.
  struct statements {
    explicit statements(sqlite::connection& db)
        : tx(db),
          props_at(db,
                   "SELECT ns, local, value FROM properties WHERE path = ?1 ORDER BY ns, local"),
          prop_set(db,
                   "INSERT OR REPLACE INTO properties (path, ns, local, value) VALUES (?1, ?2, "
                   "?3, ?4)"),
          prop_remove(db, "DELETE FROM properties WHERE path = ?1 AND ns = ?2 AND local = ?3"),
          props_in_tree(db,
                        "SELECT path, ns, local, value FROM properties WHERE path >= ?1 AND "
                        "path < ?3 AND (path = ?1 OR path > ?2)"),
          props_remove_at(db, "DELETE FROM properties WHERE path = ?1"),
          props_remove_tree(db,
                            "DELETE FROM properties WHERE path >= ?1 AND path < ?3 AND (path = ?1 "
                            "OR path > ?2)"),
          locks_purge(db, "DELETE FROM locks WHERE expires_ms <= ?1"),
          locks_at(db,
                   "SELECT token, root, exclusive, infinite, owner, timeout_s, expires_ms FROM "
                   "locks WHERE root = ?1 AND (infinite OR ?2) ORDER BY token"),
          locks_under(db,
                      "SELECT token, root, exclusive, infinite, owner, timeout_s, expires_ms FROM "
                      "locks WHERE root > ?1 AND root < ?2 ORDER BY root, token"),
          lock_by_token(db,
                        "SELECT token, root, exclusive, infinite, owner, timeout_s, expires_ms "
                        "FROM locks WHERE token = ?1"),
          lock_insert(db,
                      "INSERT INTO locks (token, root, exclusive, infinite, owner, timeout_s, "
                      "expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
          lock_refresh(db,
                       "UPDATE locks SET timeout_s = ?2, expires_ms = ?3 WHERE token = ?1 AND "
                       "expires_ms > ?4"),
          lock_remove(db, "DELETE FROM locks WHERE token = ?1"),
          locks_remove_tree(db,
                            "DELETE FROM locks WHERE root >= ?1 AND root < ?3 AND (root = ?1 OR "
                            "root > ?2)") {}
    sqlite::transaction_statements tx;
    sqlite::statement props_at;
    sqlite::statement prop_set;
    sqlite::statement prop_remove;
    sqlite::statement props_in_tree;
    sqlite::statement props_remove_at;
    sqlite::statement props_remove_tree;
    sqlite::statement locks_purge;
    sqlite::statement locks_at;
    sqlite::statement locks_under;
    sqlite::statement lock_by_token;
    sqlite::statement lock_insert;
    sqlite::statement lock_refresh;
    sqlite::statement lock_remove;
    sqlite::statement locks_remove_tree;
  };

  static statements open(sqlite::connection& db, const std::filesystem::path& file) {
    configure(db, file);
    return statements(db);
  }

  struct stored_property {
    std::string path;
    std::string ns;
    std::string local;
    std::string value;
  };
  std::vector<stored_property> tree_properties(const tree_bounds& b);
  void remove_tree_properties(const tree_bounds& b);
  void put_properties_at(std::string_view from, std::string_view to,
                         const std::vector<stored_property>& rows);
  void purge_expired(lock_clock::time_point now);

  std::mutex mutex_;
  sqlite::connection db_;
  statements st_;
};

std::vector<dead_property> sqlite_store::properties(std::string_view path) {
  std::lock_guard lock(mutex_);
  std::vector<dead_property> out;
  sqlite::use u(st_.props_at);
  u.bind(path);
  while (u.step())
    out.push_back({{u.text(0), u.text(1)}, u.text(2)});
  return out;
}

// RFC 4918 §9.2: "either all instructions MUST succeed or none MUST be executed", in order.
void sqlite_store::apply(std::string_view path, std::span<const proppatch_instruction> patch) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  for (const proppatch_instruction& i : patch) {
    if (i.remove) {
      sqlite::use(st_.prop_remove).bind(path).bind(i.name.ns).bind(i.name.local).run();
    } else {
      sqlite::use u(st_.prop_set);
      u.bind(path).bind(i.name.ns).bind(i.name.local).bind(i.value_xml).run();
    }
  }
  t.commit();
}

std::vector<sqlite_store::stored_property> sqlite_store::tree_properties(const tree_bounds& b) {
  std::vector<stored_property> rows;
  sqlite::use u(st_.props_in_tree);
  u.bind(b.self).bind(b.lo).bind(b.hi);
  while (u.step())
    rows.push_back({u.text(0), u.text(1), u.text(2), u.text(3)});
  return rows;
}

void sqlite_store::remove_tree_properties(const tree_bounds& b) {
  sqlite::use(st_.props_remove_tree).bind(b.self).bind(b.lo).bind(b.hi).run();
}

// The place of `path` (from or below it) once from is moved to `to`.
std::string moved_path(std::string_view path, std::string_view from, std::string_view to) {
  std::string_view rest = path.substr(from.size());
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  std::string out(to);
  if (rest.empty()) return out;
  if (out.empty() || out.back() != '/') out += '/';
  return out.append(rest);
}

void sqlite_store::put_properties_at(std::string_view from, std::string_view to,
                                     const std::vector<stored_property>& rows) {
  for (const stored_property& r : rows) {
    sqlite::use u(st_.prop_set);
    u.bind(moved_path(r.path, from, to)).bind(r.ns).bind(r.local).bind(r.value).run();
  }
}

void sqlite_store::copy_properties(std::string_view from, std::string_view to, bool deep) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  std::vector<stored_property> rows;
  if (deep) {
    // Read before anything is removed: to may lie below from.
    rows = tree_properties(bounds_of(from));
    remove_tree_properties(bounds_of(to));
  } else {
    {
      sqlite::use u(st_.props_at);
      u.bind(from);
      while (u.step())
        rows.push_back({std::string(from), u.text(0), u.text(1), u.text(2)});
    }
    sqlite::use(st_.props_remove_at).bind(to).run();
  }
  put_properties_at(from, to, rows);
  t.commit();
}

void sqlite_store::move_properties(std::string_view from, std::string_view to) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  const tree_bounds source = bounds_of(from);
  std::vector<stored_property> rows = tree_properties(source);
  remove_tree_properties(source);
  remove_tree_properties(bounds_of(to));
  put_properties_at(from, to, rows);
  t.commit();
}

void sqlite_store::remove_properties(std::string_view path) {
  std::lock_guard lock(mutex_);
  remove_tree_properties(bounds_of(path));
}

void sqlite_store::purge_expired(lock_clock::time_point now) {
  sqlite::use(st_.locks_purge).bind(to_ms(now)).run();
}

// RFC 4918 §6.1, §9.10.3: a lock reaches its root, and with Depth infinity every member of it.
std::vector<lock_record> sqlite_store::locks_covering(std::string_view path,
                                                      lock_clock::time_point now) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  purge_expired(now);
  std::vector<lock_record> out;
  auto collect = [&](std::string_view root, bool any_depth) {
    sqlite::use u(st_.locks_at);
    u.bind(root).bind(std::int64_t{any_depth});
    while (u.step())
      out.push_back(read_lock(u));
  };
  for (std::string_view ancestor : ancestors_of(path))
    collect(ancestor, false);
  collect(path, true);
  t.commit();
  return out;
}

std::vector<lock_record> sqlite_store::locks_below(std::string_view path,
                                                   lock_clock::time_point now) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  purge_expired(now);
  const tree_bounds b = bounds_of(path);
  std::vector<lock_record> out;
  {
    sqlite::use u(st_.locks_under);
    u.bind(b.lo).bind(b.hi);
    while (u.step())
      out.push_back(read_lock(u));
  }
  t.commit();
  return out;
}

std::optional<lock_record> sqlite_store::find_lock(std::string_view token,
                                                   lock_clock::time_point now) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  purge_expired(now);
  std::optional<lock_record> out;
  {
    sqlite::use u(st_.lock_by_token);
    u.bind(token);
    if (u.step()) out = read_lock(u);
  }
  t.commit();
  return out;
}

void sqlite_store::add_lock(const lock_record& l) {
  std::lock_guard lock(mutex_);
  sqlite::use u(st_.lock_insert);
  u.bind(l.token).bind(l.root).bind(std::int64_t{l.exclusive}).bind(std::int64_t{l.infinite});
  u.bind(l.owner_xml).bind(std::int64_t{l.timeout.count()}).bind(to_ms(l.expires)).run();
}

bool sqlite_store::refresh_lock(std::string_view token, std::chrono::seconds timeout,
                                lock_clock::time_point now) {
  std::lock_guard lock(mutex_);
  sqlite::transaction t(st_.tx);
  purge_expired(now);
  sqlite::use(st_.lock_refresh)
      .bind(token)
      .bind(std::int64_t{timeout.count()})
      .bind(to_ms(now + timeout))
      .bind(to_ms(now))
      .run();
  const bool found = db_.changes() > 0;
  t.commit();
  return found;
}

bool sqlite_store::remove_lock(std::string_view token) {
  std::lock_guard lock(mutex_);
  sqlite::use(st_.lock_remove).bind(token).run();
  return db_.changes() > 0;
}

void sqlite_store::remove_locks(std::string_view path) {
  std::lock_guard lock(mutex_);
  const tree_bounds b = bounds_of(path);
  sqlite::use(st_.locks_remove_tree).bind(b.self).bind(b.lo).bind(b.hi).run();
}

}  // namespace

std::unique_ptr<store> open_sqlite_store(const std::filesystem::path& file) {
  return std::make_unique<sqlite_store>(file);
}

}  // namespace teapot::handlers::webdav
