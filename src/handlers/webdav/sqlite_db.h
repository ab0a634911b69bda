// A thin layer over SQLite's C interface for the WebDAV store: one connection, statements
// prepared once and reused, transactions as scopes. Every failure of SQLite becomes a
// std::runtime_error naming what was being done and SQLite's message. Not thread-safe: the
// store serialises every use behind its own mutex.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace teapot::handlers::webdav::sqlite {

class connection {
 public:
  // Opens (creating when absent) the file; throws std::runtime_error when it cannot.
  explicit connection(const std::filesystem::path& file);
  ~connection();
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;

  sqlite3* handle() const noexcept { return db_; }
  // Runs SQL without results (several statements may be given, separated by ';').
  void exec(const char* sql);
  // The integer the first column of the first row of sql holds (a PRAGMA's value, say).
  std::int64_t integer(const char* sql);
  std::string text(const char* sql);
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const noexcept;
  // Throws std::runtime_error with what and SQLite's message unless rc is one of the codes
  // that mean success.
  void check(int rc, std::string_view what) const;

 private:
  sqlite3* db_ = nullptr;
};

// A statement prepared once, when the store opens.
class statement {
 public:
  statement(connection& db, const char* sql);
  ~statement();
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;

  sqlite3_stmt* handle() const noexcept { return stmt_; }
  connection& db() const noexcept { return db_; }

 private:
  connection& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// One execution of a statement: parameters bound in order from 1, rows stepped through, and
// the statement reset (its bindings cleared) when the scope ends, so that it is ready again.
class use {
 public:
  explicit use(statement& s) noexcept : s_(s) {}
  ~use();
  use(const use&) = delete;
  use& operator=(const use&) = delete;

  use& bind(std::string_view text);
  use& bind(std::int64_t value);
  // True while a row is there to read; false once done.
  bool step();
  // Steps to the end, for statements without rows.
  void run();
  std::string text(int column) const;
  std::int64_t integer(int column) const;

 private:
  statement& s_;
  int next_ = 1;
};

// The statements that begin and end a transaction, prepared once as the others are.
struct transaction_statements {
  explicit transaction_statements(connection& db);
  statement begin;
  statement commit;
  statement rollback;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back when the scope ends without commit() (an exception
// thrown from inside). IMMEDIATE takes the write lock at once, so that a transaction never
// fails half-way for want of it (another process may hold the database: the busy timeout
// applies then).
class transaction {
 public:
  explicit transaction(transaction_statements& s);
  ~transaction();
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  void commit();

 private:
  transaction_statements& s_;
  bool done_ = false;
};

}  // namespace teapot::handlers::webdav::sqlite
