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

// libpq prints NOTICEs ("relation already exists, skipping") to stderr by default; the
// store is quiet on success, so they are dropped.
void ignore_notice(void * /*arg*/, const char * /*message*/) {}

struct ConninfoOptionsDeleter {
    void operator()(PQconninfoOption *options) const noexcept { PQconninfoFree(options); }
};
using ConninfoOptions = std::unique_ptr<PQconninfoOption, ConninfoOptionsDeleter>;

// libpq's own parser, so that what is shown and what connects can never disagree.
// PQconninfoParse applies no defaults (no PGPASSWORD, no service file, no ~/.pgpass): only
// what the spec itself says comes back.
ConninfoOptions parse_conninfo(const std::string &conninfo, bool is_uri) {
    char *error = nullptr;
    ConninfoOptions options(PQconninfoParse(conninfo.c_str(), &error));
    if (options == nullptr) {
        std::string message = error != nullptr ? error : "out of memory";
        PQfreemem(error);
        while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
            message.pop_back();
        }
        if (is_uri) {
            // URI errors quote the offending part ("invalid percent-encoded token: ..."),
            // which may be the password: hide every quoted part.
            std::string hidden;
            bool inside = false;
            for (const char c : message) {
                if (c == '"') {
                    hidden += inside ? "***\"" : "\"";
                    inside = !inside;
                } else if (!inside) {
                    hidden += c;
                }
            }
            message = hidden;
        }
        throw UsageError("PostGIS store spec: " + message +
                         " (expected PG:key=value ... with libpq's lower-case keywords, or "
                         "postgresql://...)");
    }
    return options;
}

// Single-quoted when needed, as libpq reads it back.
std::string conninfo_value(std::string_view value) {
    const bool plain = !value.empty() && std::none_of(value.begin(), value.end(), [](char c) {
        return is_space(c) || c == '\'' || c == '\\';
    });
    if (plain) {
        return std::string(value);
    }
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    out += '\'';
    return out;
}

} // namespace

std::string describe_pg_params(const std::vector<std::pair<std::string, std::string>> &params,
                               const std::vector<std::string> &secret_keys,
                               const std::string &schema) {
    // Where the data is first, then the rest in libpq's order.
    static constexpr std::string_view k_first[] = {"dbname", "host", "hostaddr", "port", "user"};
    std::vector<std::pair<std::string, std::string>> ordered;
    for (const auto key : k_first) {
        for (const auto &p : params) {
            if (p.first == key) {
                ordered.push_back(p);
            }
        }
    }
    for (const auto &p : params) {
        if (std::find(std::begin(k_first), std::end(k_first), p.first) == std::end(k_first)) {
            ordered.push_back(p);
        }
    }
    std::string out;
    for (const auto &[key, value] : ordered) {
        const bool secret =
            std::find(secret_keys.begin(), secret_keys.end(), key) != secret_keys.end();
        out += (out.empty() ? "" : " ") + key + "=" + (secret ? "***" : conninfo_value(value));
    }
    if (!schema.empty()) {
        out += (out.empty() ? "" : " ") + std::string("active_schema=") + conninfo_value(schema);
    }
    return out;
}

PgSpec parse_pg_spec(const std::string &spec) {
    std::string_view text = spec;
    const bool prefixed = text.size() >= 3 && iequals(text.substr(0, 3), "PG:");
    if (prefixed) {
        text.remove_prefix(3);
    }
    while (!text.empty() && is_space(text.front())) {
        text.remove_prefix(1);
    }
    const bool is_uri = text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0;
    if (!prefixed && !is_uri) {
        throw UsageError("not a PostGIS store spec: expected PG:... or postgresql://...");
    }
    PgSpec out;
    std::string conninfo;
    if (is_uri) {
        conninfo = std::string(text);
    } else {
        // GDAL's own keywords are taken out here; everything else goes to libpq's parser
        // (which rejects unknown and upper-case keywords).
        for (auto &[key, value] : parse_keyword_values(text)) {
            if (key == "active_schema") {
                out.schema = value;
            } else if (key == "schemas") {
                if (out.schema.empty()) {
                    out.schema = value.substr(0, value.find(','));
                }
            } else if (key == "tables" || key == "list_all_tables") {
                // GDAL layer selection: meaningless for the store, accepted for compatibility.
            } else {
                conninfo += (conninfo.empty() ? "" : " ") + key + "=" + conninfo_value(value);
            }
        }
    }
    const auto options = parse_conninfo(conninfo, is_uri);
    std::vector<std::string> secret_keys;
    for (const PQconninfoOption *o = options.get(); o->keyword != nullptr; ++o) {
        if (o->val == nullptr) {
            continue;
        }
        // libpq expands such a dbname (a second connection string, with its own password)
        // only when asked; we never ask, so it would be a database name that shows a secret
        // in every message. Refuse it without echoing it.
        const std::string_view value = o->val;
        if (std::string_view(o->keyword) == "dbname" &&
            (value.find('=') != std::string_view::npos || value.rfind("postgresql://", 0) == 0 ||
             value.rfind("postgres://", 0) == 0)) {
            throw UsageError("PostGIS store spec: dbname holds a connection string; give its "
                             "keywords (host=, user=, ...) directly in the spec instead");
        }
        // dispchar "*" is libpq's mark for a value never to display (password, sslpassword).
        const bool secret = o->dispchar != nullptr && o->dispchar[0] == '*';
        if (secret) {
            secret_keys.emplace_back(o->keyword);
            if (*o->val != '\0') {
                out.secrets.emplace_back(o->val);
            }
        }
        out.params.emplace_back(o->keyword, o->val);
    }
    out.description = "PostGIS " + describe_pg_params(out.params, secret_keys, out.schema);
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

std::string scrub_passwords(std::string text, const std::vector<std::string> &passwords) {
    for (const auto &p : passwords) {
        text = scrub_password(std::move(text), p);
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
    // Defaults first: later entries (the spec's own) override them.
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
    // expand_dbname 0: the params are libpq's own parse of the spec (parse_pg_spec), so a
    // dbname is a database name, never a second connection string with its own password.
    m_conn.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (m_conn == nullptr) {
        throw PgError(m_spec.description + ": cannot allocate a libpq connection", "");
    }
    // The password libpq actually used may come from PGPASSWORD, a service file or
    // ~/.pgpass: scrub that one too from every message.
    if (const char *used = PQpass(m_conn.get()); used != nullptr && *used != '\0') {
        m_spec.secrets.emplace_back(used);
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
    std::string primary;
    if (result != nullptr) {
        if (const char *s = PQresultErrorField(result, PG_DIAG_SQLSTATE); s != nullptr) {
            sqlstate = s;
        }
        if (const char *s = PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY); s != nullptr) {
            primary = scrub_passwords(s, m_spec.secrets);
        }
    }
    throw PgError(
        scrub_passwords(m_spec.description + ": " + what + ": " + message, m_spec.secrets),
        sqlstate, primary);
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
