#include "handlers/webdav/sqlite_db.h"

#include <sqlite3.h>

#include <stdexcept>

namespace teapot::handlers::webdav::sqlite {

connection::connection(const std::filesystem::path& file) {
  // NOMUTEX: the store's own mutex serialises every use of the connection.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(file.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw std::runtime_error("cannot open the WebDAV database '" + file.string() + "': " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
}

connection::~connection() {
  // Every statement is finalized before (the store's members are destroyed first), so the
  // close succeeds and checkpoints the WAL.
  sqlite3_close(db_);
}

void connection::check(int rc, std::string_view what) const {
  if (rc == SQLITE_OK || rc == SQLITE_ROW || rc == SQLITE_DONE) return;
  throw std::runtime_error("WebDAV database: " + std::string(what) + ": " + sqlite3_errmsg(db_));
}

void connection::exec(const char* sql) {
  check(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr), sql);
}

std::int64_t connection::integer(const char* sql) {
  statement s(*this, sql);
  use u(s);
  return u.step() ? u.integer(0) : 0;
}

std::string connection::text(const char* sql) {
  statement s(*this, sql);
  use u(s);
  return u.step() ? u.text(0) : std::string();
}

std::int64_t connection::changes() const noexcept {
  return sqlite3_changes64(db_);
}

statement::statement(connection& db, const char* sql) : db_(db) {
  db.check(sqlite3_prepare_v3(db.handle(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr),
           sql);
}

statement::~statement() {
  sqlite3_finalize(stmt_);
}

use::~use() {
  // The error of a failed step was reported by step(); reset only repeats it.
  sqlite3_reset(s_.handle());
  sqlite3_clear_bindings(s_.handle());
}

use& use::bind(std::string_view text) {
  // A null pointer would bind NULL rather than the empty string.
  const char* data = text.data() != nullptr ? text.data() : "";
  s_.db().check(
      sqlite3_bind_text64(s_.handle(), next_++, data, text.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
      "bind");
  return *this;
}

use& use::bind(std::int64_t value) {
  s_.db().check(sqlite3_bind_int64(s_.handle(), next_++, value), "bind");
  return *this;
}

bool use::step() {
  const int rc = sqlite3_step(s_.handle());
  s_.db().check(rc, sqlite3_sql(s_.handle()));
  return rc == SQLITE_ROW;
}

void use::run() {
  while (step()) {
  }
}

std::string use::text(int column) const {
  const auto* data = sqlite3_column_text(s_.handle(), column);
  const int size = sqlite3_column_bytes(s_.handle(), column);
  if (data == nullptr) return {};
  return {reinterpret_cast<const char*>(data), static_cast<std::size_t>(size)};
}

std::int64_t use::integer(int column) const {
  return sqlite3_column_int64(s_.handle(), column);
}

transaction_statements::transaction_statements(connection& db)
    : begin(db, "BEGIN IMMEDIATE"), commit(db, "COMMIT"), rollback(db, "ROLLBACK") {}

transaction::transaction(transaction_statements& s) : s_(s) {
  use(s_.begin).run();
}

transaction::~transaction() {
  // SQLite has already rolled back after some errors (a full disk, an I/O error).
  if (done_ || sqlite3_get_autocommit(s_.rollback.db().handle()) != 0) return;
  sqlite3_step(s_.rollback.handle());
  sqlite3_reset(s_.rollback.handle());
}

void transaction::commit() {
  use(s_.commit).run();
  done_ = true;
}

}  // namespace teapot::handlers::webdav::sqlite
