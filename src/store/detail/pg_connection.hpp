#pragma once
// RAII wrappers around libpq (PGconn, PGresult) for the PostGIS store, plus parsing of the
// store spec ("PG:key=value ..." in GDAL's syntax, or a postgresql:// URI).
//
// libpq-fe.h stays out of this header (the C types are forward-declared) so tests and other
// translation units do not need libpq's include path.
//
// Every error is thrown as PgError (an IoError) whose message names the store by its masked
// description and never contains the password.

#include <borderwatch/core/error.hpp>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
struct pg_conn;
struct pg_result;
}

namespace borderwatch::detail {

/// A parsed store spec, ready for PQconnectdbParams.
struct PgSpec {
    /// libpq keyword/value pairs exactly as libpq's own parser (PQconninfoParse) read the
    /// spec, URI included; connected with expand_dbname = 0, so what connects is what
    /// `description` shows.
    std::vector<std::pair<std::string, std::string>> params;
    /// Schema holding borderwatch's tables, from GDAL's "active_schema=" (or the first entry
    /// of "schemas="); empty means the server's current schema (normally "public").
    std::string schema;
    /// Every secret value of the spec (libpq's "*" options: password, sslpassword), only to
    /// scrub them from server messages. PgConnection adds the password libpq really used.
    std::vector<std::string> secrets;
    /// "PostGIS dbname=x host=y password=***": safe for logs, manifests and errors. Built
    /// from `params`: secrets as ***, values quoted as libpq reads them.
    std::string description;
};

/// Parse "PG:dbname=x host=y ..." (libpq keyword/value syntax with GDAL's extra keywords
/// active_schema, schemas, tables, list_all_tables) or "postgresql://..." / "postgres://..."
/// (also behind "PG:"). GDAL's keywords are taken out; the rest is parsed by libpq
/// (PQconninfoParse), which also rejects unknown or upper-case keywords.
/// @throws UsageError for a malformed spec (unterminated quote, missing '=', unknown keyword,
///         bad URI); the message never contains a value of the spec
[[nodiscard]] PgSpec parse_pg_spec(const std::string &spec);

/// "dbname=x host=y user=z password=*** active_schema=s": @p params in a fixed order (dbname,
/// host, hostaddr, port, user, then the rest as given), values of @p secret_keys as "***",
/// others single-quoted when libpq needs it.
[[nodiscard]] std::string
describe_pg_params(const std::vector<std::pair<std::string, std::string>> &params,
                   const std::vector<std::string> &secret_keys, const std::string &schema);

/// A server-side failure: the message (already scrubbed) plus the SQLSTATE code.
class PgError : public IoError {
  public:
    PgError(const std::string &message, std::string sqlstate, std::string primary = {})
        : IoError(message), m_sqlstate(std::move(sqlstate)), m_primary(std::move(primary)) {}
    /// Five-character SQLSTATE ("40P01" deadlock, "23505" unique violation), "" if unknown.
    [[nodiscard]] const std::string &sqlstate() const noexcept { return m_sqlstate; }
    /// The server's primary message alone ("value \"3000000000\" is out of range for type
    /// integer"), scrubbed; "" when the failure did not come from the server.
    [[nodiscard]] const std::string &primary() const noexcept { return m_primary; }

  private:
    std::string m_sqlstate;
    std::string m_primary;
};

struct PgResultDeleter {
    void operator()(pg_result *result) const noexcept;
};
struct PgConnDeleter {
    void operator()(pg_conn *conn) const noexcept;
};

/// An owned query result with text-format accessors.
class PgResult {
  public:
    PgResult() = default;
    explicit PgResult(pg_result *result) noexcept : m_result(result) {}

    [[nodiscard]] int rows() const noexcept;
    [[nodiscard]] int columns() const noexcept;
    [[nodiscard]] bool is_null(int row, int column) const noexcept;
    /// Text value of a cell ("" for NULL); valid while this result lives.
    [[nodiscard]] std::string_view value(int row, int column) const noexcept;
    /// Rows affected by INSERT/UPDATE/DELETE (PQcmdTuples), 0 if none.
    [[nodiscard]] std::size_t affected() const noexcept;
    [[nodiscard]] pg_result *get() const noexcept { return m_result.get(); }

  private:
    std::unique_ptr<pg_result, PgResultDeleter> m_result;
};

/// A parameter of exec(): nullopt is SQL NULL, otherwise the value in text format.
using PgParam = std::optional<std::string>;

/// One libpq connection. Not thread-safe (one per thread / store object).
class PgConnection {
  public:
    /// Connect and set the session up: client_encoding UTF8, DateStyle ISO, TimeZone UTC,
    /// extra_float_digits 1 (shortest exact doubles), notices silenced.
    /// @throws PgError when the connection fails (message without password)
    explicit PgConnection(const PgSpec &spec);

    /// Run one or more statements without parameters. @throws PgError
    PgResult exec(const std::string &sql);
    /// Run one statement with $1..$n parameters sent separately from the SQL text (never
    /// interpolated). @throws PgError
    PgResult exec(const std::string &sql, const std::vector<PgParam> &params);

    /// COPY ... FROM STDIN: start, send data in chunks (text format), finish.
    /// @throws PgError (also when the server rejects the data at copy_end)
    void copy_begin(const std::string &copy_sql);
    void copy_put(std::string_view data);
    void copy_end();

    /// True while a transaction block is open (also when it is in the failed state).
    [[nodiscard]] bool in_transaction() const noexcept;
    /// Best effort ROLLBACK for destructors and error paths; never throws.
    void rollback_noexcept() noexcept;

    /// `"name"` quoted as an SQL identifier (PQescapeIdentifier). @throws PgError
    [[nodiscard]] std::string quote_identifier(std::string_view name);

    /// The spec this connection was opened with.
    [[nodiscard]] const PgSpec &spec() const noexcept { return m_spec; }
    /// Server version number (e.g. 150020).
    [[nodiscard]] int server_version() const noexcept;

  private:
    [[noreturn]] void fail(const std::string &what, const pg_result *result);
    PgResult check(pg_result *result, const std::string &sql);

    PgSpec m_spec;
    std::unique_ptr<pg_conn, PgConnDeleter> m_conn;
};

/// Replace every occurrence of @p password (when at least 4 characters) in @p text by "***".
[[nodiscard]] std::string scrub_password(std::string text, const std::string &password);
/// scrub_password() for each of @p passwords.
[[nodiscard]] std::string scrub_passwords(std::string text,
                                          const std::vector<std::string> &passwords);

/// COPY text-format escaping of one value (backslash, tab, newline, carriage return).
void append_copy_escaped(std::string &out, std::string_view value);

/// A PostgreSQL array literal ('{"a","b"}') of text values, for `= ANY($1::text[])`.
[[nodiscard]] std::string pg_text_array(const std::vector<std::string> &values);

} // namespace borderwatch::detail
