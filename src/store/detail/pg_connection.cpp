// libpq wrappers for the PostGIS store (see pg_connection.hpp).
#include "store/detail/pg_connection.hpp"

#include <borderwatch/store/store.hpp>

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>

namespace borderwatch::detail {

namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// libpq's keyword/value syntax: key = value, value unquoted (backslash escapes) or in single
// quotes (\' and \\ escapes). Parsed here, not by PQconninfoParse, because GDAL's spec adds
// keywords libpq rejects (active_schema, schemas, ...).
std::vector<std::pair<std::string, std::string>> parse_keyword_values(std::string_view text) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (true) {
        while (i < n && is_space(text[i])) {
            ++i;
        }
        if (i >= n) {
            break;
        }
        std::string key;
        while (i < n && !is_space(text[i]) && text[i] != '=') {
            key += text[i++];
        }
        while (i < n && is_space(text[i])) {
            ++i;
        }
        if (i >= n || text[i] != '=') {
            throw UsageError("PostGIS store spec: missing '=' after '" + key +
                             "' (expected PG:key=value ..., e.g. PG:dbname=incidents host=db)");
        }
        ++i;
        while (i < n && is_space(text[i])) {
            ++i;
        }
        std::string value;
        if (i < n && text[i] == '\'') {
            ++i;
            bool closed = false;
            while (i < n) {
                if (text[i] == '\\' && i + 1 < n) {
                    value += text[i + 1];
                    i += 2;
                } else if (text[i] == '\'') {
                    ++i;
                    closed = true;
                    break;
                } else {
                    value += text[i++];
                }
            }
            if (!closed) {
                throw UsageError("PostGIS store spec: unterminated quoted value for '" + key + "'");
            }
        } else {
            while (i < n && !is_space(text[i])) {
                if (text[i] == '\\' && i + 1 < n) {
                    value += text[i + 1];
                    i += 2;
                } else {
                    value += text[i++];
                }
            }
        }
        if (key.empty()) {
            throw UsageError("PostGIS store spec: empty keyword before '='");
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return out;
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
            hex_value(text[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
            i += 2;
        } else {
            out += text[i];
        }
    }
    return out;
}

// The password of a URI (user:secret@host or ?password=secret), for scrubbing only.
std::string uri_password(std::string_view uri) {
    const auto scheme = uri.find("://");
    if (scheme == std::string_view::npos) {
        return {};
    }
    const auto auth_end = uri.find_first_of("/?", scheme + 3);
    const auto authority =
        uri.substr(scheme + 3, auth_end == std::string_view::npos ? std::string_view::npos
                                                                  : auth_end - scheme - 3);
    if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
        const auto userinfo = authority.substr(0, at);
        if (const auto colon = userinfo.find(':'); colon != std::string_view::npos) {
            return percent_decode(userinfo.substr(colon + 1));
        }
    }
    if (const auto q = uri.find('?'); q != std::string_view::npos) {
        std::string_view query = uri.substr(q + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const auto item = query.substr(0, amp);
            if (item.size() > 9 && iequals(item.substr(0, 9), "password=")) {
                return percent_decode(item.substr(9));
            }
            if (amp == std::string_view::npos) {
                break;
            }
            query.remove_prefix(amp + 1);
        }
    }
    return {};
}

// libpq prints NOTICEs ("relation already exists, skipping") to stderr by default; the
// store is quiet on success, so they are dropped.
void ignore_notice(void * /*arg*/, const char * /*message*/) {}

} // namespace

PgSpec parse_pg_spec(const std::string &spec) {
    PgSpec out;
    out.description = "PostGIS " + mask_store_spec(spec);
    // "PG:postgresql://..." (a URI behind GDAL's prefix) is read as the URI.
    if (spec.size() > 3 && iequals(std::string_view(spec).substr(0, 3), "PG:") &&
        spec.find("://") != std::string::npos && spec.find_first_of("= ") > spec.find("://")) {
        PgSpec uri = parse_pg_spec(spec.substr(3));
        return uri;
    }
    if (spec.size() >= 3 && iequals(std::string_view(spec).substr(0, 3), "PG:")) {
        out.description = "PostGIS " + mask_store_spec(spec.substr(3));
        for (auto &[key, value] : parse_keyword_values(std::string_view(spec).substr(3))) {
            if (key == "active_schema") {
                out.schema = value;
            } else if (key == "schemas") {
                if (out.schema.empty()) {
                    out.schema = value.substr(0, value.find(','));
                }
            } else if (key == "tables" || key == "list_all_tables") {
                // GDAL layer selection: meaningless for the store, accepted for compatibility.
            } else {
                if (key == "password") {
                    out.password = value;
                }
                out.params.emplace_back(std::move(key), std::move(value));
            }
        }
        return out;
    }
    if (spec.find("://") == std::string::npos) {
        throw UsageError("not a PostGIS store spec: expected PG:... or postgresql://...");
    }
    out.password = uri_password(spec);
    out.params.emplace_back("dbname", spec);
    return out;
}

std::string scrub_password(std::string text, const std::string &password) {
    // Very short passwords would turn ordinary words into "***"; libpq never echoes
    // passwords anyway, so this is defence in depth for the realistic case.
    if (password.size() < 4) {
        return text;
    }
    for (auto pos = text.find(password); pos != std::string::npos;
         pos = text.find(password, pos + 3)) {
        text.replace(pos, password.size(), "***");
    }
    return text;
}

void append_copy_escaped(std::string &out, std::string_view value) {
    for (const char c : value) {
        switch (c) {
        case '\\':
            out += "\\\\";
            break;
        case '\t':
            out += "\\t";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        default:
            out += c;
        }
    }
}

std::string pg_text_array(const std::vector<std::string> &values) {
    std::string out = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i > 0) {
            out += ',';
        }
        out += '"';
        for (const char c : values[i]) {
            if (c == '"' || c == '\\') {
                out += '\\';
            }
            out += c;
        }
        out += '"';
    }
    out += '}';
    return out;
}

void PgResultDeleter::operator()(pg_result *result) const noexcept {
    PQclear(result);
}
void PgConnDeleter::operator()(pg_conn *conn) const noexcept {
    PQfinish(conn);
}

int PgResult::rows() const noexcept {
    return m_result ? PQntuples(m_result.get()) : 0;
}
int PgResult::columns() const noexcept {
    return m_result ? PQnfields(m_result.get()) : 0;
}
bool PgResult::is_null(int row, int column) const noexcept {
    return PQgetisnull(m_result.get(), row, column) != 0;
}
std::string_view PgResult::value(int row, int column) const noexcept {
    return {PQgetvalue(m_result.get(), row, column),
            static_cast<std::size_t>(PQgetlength(m_result.get(), row, column))};
}
std::size_t PgResult::affected() const noexcept {
    const char *n = m_result ? PQcmdTuples(m_result.get()) : "";
    return n[0] == '\0' ? 0 : static_cast<std::size_t>(std::strtoull(n, nullptr, 10));
}

PgConnection::PgConnection(const PgSpec &spec) : m_spec(spec) {
    std::vector<const char *> keys;
    std::vector<const char *> values;
    // Defaults first: with expand_dbname the spec's own settings override them.
    keys.push_back("connect_timeout");
    values.push_back("15");
    keys.push_back("fallback_application_name");
    values.push_back("borderwatch");
    for (const auto &[key, value] : m_spec.params) {
        keys.push_back(key.c_str());
        values.push_back(value.c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    m_conn.reset(PQconnectdbParams(keys.data(), values.data(), 1));
    if (m_conn == nullptr) {
        throw PgError(m_spec.description + ": cannot allocate a libpq connection", "");
    }
    if (PQstatus(m_conn.get()) != CONNECTION_OK) {
        fail("cannot connect", nullptr);
    }
    PQsetNoticeProcessor(m_conn.get(), ignore_notice, nullptr);
    exec("SET client_encoding = 'UTF8'; SET DateStyle = 'ISO, YMD'; SET TimeZone = 'UTC'; "
         "SET extra_float_digits = 1; SET client_min_messages = warning; "
         // The upsert staging table lives in temp buffers (allocated only when used).
         "SET temp_buffers = '64MB'");
}

void PgConnection::fail(const std::string &what, const pg_result *result) {
    std::string message = result != nullptr ? PQresultErrorMessage(result) : "";
    if (message.empty()) {
        message = PQerrorMessage(m_conn.get());
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
        message.pop_back();
    }
    // libpq messages span lines ("ERROR: ...\nDETAIL: ..."); keep them on one line.
    std::replace(message.begin(), message.end(), '\n', ' ');
    std::string sqlstate;
    if (result != nullptr) {
        if (const char *s = PQresultErrorField(result, PG_DIAG_SQLSTATE); s != nullptr) {
            sqlstate = s;
        }
    }
    throw PgError(
        scrub_password(m_spec.description + ": " + what + ": " + message, m_spec.password),
        sqlstate);
}

PgResult PgConnection::check(pg_result *raw, const std::string &sql) {
    PgResult result(raw);
    const auto status = PQresultStatus(raw);
    if (raw == nullptr ||
        (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_COPY_IN)) {
        // Name the statement by its first words only: values are never in the SQL text
        // (they travel as parameters), but long statements would drown the message.
        const auto first = sql.substr(0, std::min<std::size_t>(sql.find_first_of("(\n"), 60));
        fail("query failed (" + first + ")", raw);
    }
    return result;
}

PgResult PgConnection::exec(const std::string &sql) {
    return check(PQexec(m_conn.get(), sql.c_str()), sql);
}

PgResult PgConnection::exec(const std::string &sql, const std::vector<PgParam> &params) {
    std::vector<const char *> values;
    values.reserve(params.size());
    for (const auto &p : params) {
        values.push_back(p ? p->c_str() : nullptr);
    }
    return check(PQexecParams(m_conn.get(), sql.c_str(), static_cast<int>(values.size()), nullptr,
                              values.data(), nullptr, nullptr, 0),
                 sql);
}

void PgConnection::copy_begin(const std::string &copy_sql) {
    PgResult r = check(PQexec(m_conn.get(), copy_sql.c_str()), copy_sql);
    if (PQresultStatus(r.get()) != PGRES_COPY_IN) {
        fail("COPY did not start", r.get());
    }
}

void PgConnection::copy_put(std::string_view data) {
    if (PQputCopyData(m_conn.get(), data.data(), static_cast<int>(data.size())) != 1) {
        fail("COPY failed", nullptr);
    }
}

void PgConnection::copy_end() {
    if (PQputCopyEnd(m_conn.get(), nullptr) != 1) {
        fail("COPY failed", nullptr);
    }
    // Drain every result; the first error wins.
    std::optional<PgError> error;
    while (pg_result *raw = PQgetResult(m_conn.get())) {
        PgResult r(raw);
        if (PQresultStatus(raw) != PGRES_COMMAND_OK && !error) {
            try {
                fail("COPY rejected", raw);
            } catch (const PgError &e) {
                error = e;
            }
        }
    }
    if (error) {
        throw *error;
    }
}

bool PgConnection::in_transaction() const noexcept {
    const auto s = PQtransactionStatus(m_conn.get());
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

void PgConnection::rollback_noexcept() noexcept {
    if (m_conn == nullptr || PQstatus(m_conn.get()) != CONNECTION_OK) {
        return;
    }
    // A COPY interrupted by an exception must be ended before anything else can run.
    if (PQtransactionStatus(m_conn.get()) == PQTRANS_ACTIVE) {
        PQputCopyEnd(m_conn.get(), "aborted");
        while (pg_result *r = PQgetResult(m_conn.get())) {
            PQclear(r);
        }
    }
    if (in_transaction()) {
        PQclear(PQexec(m_conn.get(), "ROLLBACK"));
    }
}

std::string PgConnection::quote_identifier(std::string_view name) {
    char *quoted = PQescapeIdentifier(m_conn.get(), name.data(), name.size());
    if (quoted == nullptr) {
        fail("cannot quote identifier", nullptr);
    }
    std::string out = quoted;
    PQfreemem(quoted);
    return out;
}

int PgConnection::server_version() const noexcept {
    return PQserverVersion(m_conn.get());
}

} // namespace borderwatch::detail
