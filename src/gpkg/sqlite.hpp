#pragma once
// Thin RAII over the SQLite C API for GeoPackages (the store's and the export's): a
// connection, prepared statements, and errors that name the database file.

#include <borderwatch/core/error.hpp>

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace borderwatch::detail {

struct SqliteCloser {
    void operator()(sqlite3 *db) const noexcept { sqlite3_close_v2(db); }
};
struct SqliteFinalizer {
    void operator()(sqlite3_stmt *s) const noexcept { sqlite3_finalize(s); }
};
using SqliteDb = std::unique_ptr<sqlite3, SqliteCloser>;

/// Throw IoError "GeoPackage FILE: what: sqlite message" if rc is not one of the ok codes.
inline void sqlite_check(sqlite3 *db, int rc, const std::string &file, std::string_view what) {
    if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) {
        return;
    }
    throw IoError("GeoPackage " + file + ": " + std::string(what) + ": " +
                  (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

/// A prepared statement; reset() before each reuse is done by the caller via reset().
class Stmt {
  public:
    Stmt() = default;
    Stmt(sqlite3 *db, std::string_view sql, std::string file) : m_db(db), m_file(std::move(file)) {
        sqlite3_stmt *s = nullptr;
        sqlite_check(db,
                     sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                        SQLITE_PREPARE_PERSISTENT, &s, nullptr),
                     m_file, "prepare '" + std::string(sql.substr(0, 80)) + "'");
        m_stmt.reset(s);
    }
    [[nodiscard]] sqlite3_stmt *get() const noexcept { return m_stmt.get(); }
    explicit operator bool() const noexcept { return static_cast<bool>(m_stmt); }

    void reset() noexcept {
        sqlite3_reset(m_stmt.get());
        sqlite3_clear_bindings(m_stmt.get());
    }
    /// Reset for the next step keeping the bindings: for hot loops that bind every parameter
    /// of every row anyway.
    void rewind() noexcept { sqlite3_reset(m_stmt.get()); }
    /// Step once. @return true if a row is available
    bool step() {
        const int rc = sqlite3_step(m_stmt.get());
        if (rc == SQLITE_ROW) {
            return true;
        }
        if (rc == SQLITE_DONE) {
            return false;
        }
        sqlite_check(m_db, rc, m_file, "step");
        return false;
    }
    void bind_null(int i) { sqlite3_bind_null(m_stmt.get(), i); }
    void bind(int i, std::int64_t v) { sqlite3_bind_int64(m_stmt.get(), i, v); }
    void bind(int i, double v) { sqlite3_bind_double(m_stmt.get(), i, v); }
    /// Binds text without copying: @p v must outlive the next step().
    void bind(int i, std::string_view v) {
        sqlite3_bind_text(m_stmt.get(), i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    }
    void bind_blob(int i, const void *data, int size) {
        sqlite3_bind_blob(m_stmt.get(), i, data, size, SQLITE_STATIC);
    }
    [[nodiscard]] std::string_view text(int col) const noexcept {
        const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt.get(), col));
        return p == nullptr ? std::string_view{}
                            : std::string_view(p, static_cast<std::size_t>(
                                                      sqlite3_column_bytes(m_stmt.get(), col)));
    }
    [[nodiscard]] std::int64_t int64(int col) const noexcept {
        return sqlite3_column_int64(m_stmt.get(), col);
    }
    [[nodiscard]] double real(int col) const noexcept {
        return sqlite3_column_double(m_stmt.get(), col);
    }
    [[nodiscard]] int type(int col) const noexcept {
        return sqlite3_column_type(m_stmt.get(), col);
    }

  private:
    sqlite3 *m_db = nullptr;
    std::string m_file;
    std::unique_ptr<sqlite3_stmt, SqliteFinalizer> m_stmt;
};

/// Run SQL without results. @throws IoError
inline void sqlite_exec(sqlite3 *db, const std::string &sql, const std::string &file) {
    char *err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        std::string msg = err != nullptr ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw IoError("GeoPackage " + file + ": " + sql.substr(0, 80) + ": " + msg);
    }
}

} // namespace borderwatch::detail
