// Articles: HTML reduced to text with its metadata, datelines, and ICU sentence boundaries.
#include "extract/detail/article.hpp"
#include "extract/detail/rules.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/extract/extract.hpp>
#include <borderwatch/gazetteer/normalize.hpp>

#include <unicode/brkiter.h>
#include <unicode/locid.h>
#include <unicode/utext.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

namespace borderwatch {

namespace detail {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

void append_utf8(std::string &out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x110000) {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string decode_entities(std::string_view s) {
    static const std::pair<std::string_view, std::string_view> named[] = {
        {"amp", "&"},
        {"lt", "<"},
        {"gt", ">"},
        {"quot", "\""},
        {"apos", "'"},
        {"nbsp", " "},
        {"rsquo", "\xe2\x80\x99"},
        {"lsquo", "\xe2\x80\x98"},
        {"ldquo", "\xe2\x80\x9c"},
        {"rdquo", "\xe2\x80\x9d"},
        {"ndash", "\xe2\x80\x93"},
        {"mdash", "\xe2\x80\x94"},
        {"hellip", "\xe2\x80\xa6"},
    };
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        const auto semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            out += s[i];
            continue;
        }
        const auto name = s.substr(i + 1, semi - i - 1);
        bool done = false;
        if (!name.empty() && name[0] == '#') {
            unsigned long cp = 0;
            const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
            const auto digits = name.substr(hex ? 2 : 1);
            bool ok = !digits.empty();
            for (const char c : digits) {
                const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                              : hex && std::isxdigit(static_cast<unsigned char>(c))
                                  ? (std::tolower(static_cast<unsigned char>(c)) - 'a' + 10)
                                  : -1;
                ok = ok && v >= 0;
                cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(std::max(v, 0));
                if (cp > 0x10FFFF) {
                    ok = false;
                    break;
                }
            }
            if (ok && cp > 0) {
                append_utf8(out, cp);
                done = true;
            }
        } else {
            for (const auto &[n, v] : named) {
                if (name == n) {
                    out += v;
                    done = true;
                    break;
                }
            }
        }
        if (done) {
            i = semi;
        } else {
            out += s[i];
        }
    }
    return out;
}

/// Attributes of one tag's inside ("meta property=\"x\" content=\"y\"").
std::vector<std::pair<std::string, std::string>> attributes(std::string_view tag) {
    std::vector<std::pair<std::string, std::string>> out;
    std::size_t i = 0;
    while (i < tag.size() && !std::isspace(static_cast<unsigned char>(tag[i]))) {
        ++i;
    }
    while (i < tag.size()) {
        while (i < tag.size() &&
               (std::isspace(static_cast<unsigned char>(tag[i])) || tag[i] == '/')) {
            ++i;
        }
        const auto start = i;
        while (i < tag.size() && tag[i] != '=' &&
               !std::isspace(static_cast<unsigned char>(tag[i])) && tag[i] != '/') {
            ++i;
        }
        std::string name = lower(tag.substr(start, i - start));
        std::string value;
        if (i < tag.size() && tag[i] == '=') {
            ++i;
            if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
                const char q = tag[i++];
                const auto end = tag.find(q, i);
                value = std::string(tag.substr(i, end == std::string_view::npos ? end : end - i));
                i = end == std::string_view::npos ? tag.size() : end + 1;
            } else {
                const auto vs = i;
                while (i < tag.size() && !std::isspace(static_cast<unsigned char>(tag[i]))) {
                    ++i;
                }
                value = std::string(tag.substr(vs, i - vs));
            }
        }
        if (!name.empty()) {
            out.emplace_back(std::move(name), decode_entities(value));
        }
        if (start == i) {
            ++i;
        }
    }
    return out;
}

std::string attr(const std::vector<std::pair<std::string, std::string>> &attrs,
                 std::string_view name) {
    for (const auto &[n, v] : attrs) {
        if (n == name) {
            return v;
        }
    }
    return {};
}

/// "2025-12-26T08:00:00Z" -> "2025-12-26"; "" if it does not start with a date.
std::string date_prefix(std::string_view value) {
    long days = 0;
    if (value.size() >= 10 && parse_iso_day(value.substr(0, 10), days)) {
        return std::string(value.substr(0, 10));
    }
    return {};
}

bool is_block_tag(std::string_view name) {
    static const std::string_view blocks[] = {
        "p",  "div", "br",    "h1",     "h2",         "h3",      "h4",     "h5",     "h6",
        "li", "tr",  "td",    "th",     "article",    "section", "header", "footer", "blockquote",
        "ul", "ol",  "table", "figure", "figcaption", "title",   "main",   "aside",  "nav"};
    return std::find(std::begin(blocks), std::end(blocks), name) != std::end(blocks);
}

Article parse_html(std::string file, std::string_view html) {
    Article a;
    a.file = std::move(file);
    std::string text;
    std::string title;
    bool in_title = false;
    std::size_t i = 0;
    while (i < html.size()) {
        if (html[i] != '<') {
            const auto next = html.find('<', i);
            const auto chunk = html.substr(i, next == std::string_view::npos ? next : next - i);
            if (in_title) {
                title += chunk;
            } else {
                text += chunk;
            }
            i = next == std::string_view::npos ? html.size() : next;
            continue;
        }
        if (html.substr(i, 4) == "<!--") {
            const auto end = html.find("-->", i);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        const auto close = html.find('>', i);
        if (close == std::string_view::npos) {
            break;
        }
        const auto inside = html.substr(i + 1, close - i - 1);
        std::size_t n = 0;
        const bool end_tag = !inside.empty() && inside[0] == '/';
        const auto name_start = end_tag ? 1U : 0U;
        n = name_start;
        while (n < inside.size() && std::isalnum(static_cast<unsigned char>(inside[n]))) {
            ++n;
        }
        const auto name = lower(inside.substr(name_start, n - name_start));
        i = close + 1;
        if (!end_tag && (name == "script" || name == "style" || name == "noscript")) {
            const auto end = lower(html.substr(i)).find("</" + name);
            i = end == std::string::npos ? html.size() : i + end;
            continue;
        }
        if (name == "title") {
            in_title = !end_tag;
        }
        if (is_block_tag(name)) {
            text += '\n';
        }
        if (end_tag) {
            continue;
        }
        const auto attrs = attributes(inside);
        if (name == "meta") {
            const auto key = lower(
                attr(attrs, "property").empty()
                    ? (attr(attrs, "name").empty() ? attr(attrs, "itemprop") : attr(attrs, "name"))
                    : attr(attrs, "property"));
            const auto content = attr(attrs, "content");
            if (a.published.empty() &&
                (key == "article:published_time" || key == "datepublished" || key == "date" ||
                 key == "pubdate" || key == "publish-date" || key == "dc.date" ||
                 key == "og:published_time")) {
                a.published = date_prefix(content);
            } else if (key == "og:site_name" && a.source_name.empty()) {
                a.source_name = content;
            } else if (key == "og:url" && a.source_url.empty()) {
                a.source_url = content;
            } else if (key == "og:title" && a.title.empty()) {
                a.title = content;
            }
        } else if (name == "time" && a.published.empty()) {
            a.published = date_prefix(attr(attrs, "datetime"));
        } else if (name == "link" && lower(attr(attrs, "rel")) == "canonical") {
            a.source_url = attr(attrs, "href");
        }
    }
    if (a.title.empty()) {
        a.title = decode_entities(title);
    }
    // Collapse runs of blank lines and spaces so paragraphs stay one line each.
    const auto decoded = decode_entities(text);
    std::string out;
    bool pending_newline = false;
    bool pending_space = false;
    for (const char c : decoded) {
        if (c == '\n' || c == '\r') {
            pending_newline = true;
            pending_space = false;
        } else if (c == ' ' || c == '\t') {
            pending_space = true;
        } else {
            if (pending_newline && !out.empty()) {
                out += '\n';
            } else if (pending_space && !out.empty() && out.back() != '\n') {
                out += ' ';
            }
            pending_newline = false;
            pending_space = false;
            out += c;
        }
    }
    a.text = out + "\n";
    return a;
}

bool looks_like_html(std::string_view content) {
    auto start = content.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) {
        return false;
    }
    if (content.substr(start, 3) == "\xef\xbb\xbf") {
        start += 3;
    }
    const auto head = lower(content.substr(start, 4096));
    return head.rfind("<!doctype html", 0) == 0 || head.rfind("<html", 0) == 0 ||
           head.find("<body") != std::string::npos ||
           (head[0] == '<' && head.find("<p>") != std::string::npos);
}

} // namespace

std::vector<TextSpan> sentence_spans(std::string_view text) {
    std::vector<TextSpan> out;
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::BreakIterator> it(
        icu::BreakIterator::createSentenceInstance(icu::Locale::getEnglish(), status));
    if (U_FAILURE(status)) {
        throw DataError("extract: ICU sentence break iterator unavailable");
    }
    std::size_t para_start = 0;
    while (para_start < text.size()) {
        auto para_end = text.find('\n', para_start);
        if (para_end == std::string_view::npos) {
            para_end = text.size();
        }
        const auto para = text.substr(para_start, para_end - para_start);
        if (para.find_first_not_of(" \t\r") != std::string_view::npos) {
            UText *ut =
                utext_openUTF8(nullptr, para.data(), static_cast<int64_t>(para.size()), &status);
            it->setText(ut, status);
            std::size_t paragraph = out.empty() ? 0 : out.back().paragraph + 1;
            int32_t start = it->first();
            for (int32_t end = it->next(); end != icu::BreakIterator::DONE;
                 start = end, end = it->next()) {
                auto b = static_cast<std::size_t>(start);
                auto e = static_cast<std::size_t>(end);
                while (b < e && std::isspace(static_cast<unsigned char>(para[b]))) {
                    ++b;
                }
                while (e > b && std::isspace(static_cast<unsigned char>(para[e - 1]))) {
                    --e;
                }
                if (e > b) {
                    out.push_back({para_start + b, para_start + e, paragraph});
                }
            }
            utext_close(ut);
            if (U_FAILURE(status)) {
                throw DataError("extract: ICU sentence break iterator failed");
            }
        }
        para_start = para_end + 1;
    }
    return out;
}

std::size_t code_points_before(std::string_view text, std::size_t byte_offset) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < byte_offset && i < text.size(); ++i) {
        n += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
}

} // namespace detail

std::string read_article_file(const std::string &file) {
    if (file == "-") {
        return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        throw IoError("cannot open '" + file + "'");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

Article parse_article(std::string file, std::string_view content) {
    if (content.substr(0, 3) == "\xef\xbb\xbf") {
        content.remove_prefix(3);
    }
    if (!is_valid_utf8(content)) {
        throw InputError(SourceLocation{file, 0, 0, ""},
                         "not valid UTF-8 (convert the article to UTF-8 first)");
    }
    Article a;
    if (detail::looks_like_html(content)) {
        a = detail::parse_html(std::move(file), content);
    } else {
        a.file = std::move(file);
        a.text = std::string(content);
    }
    if (a.published.empty()) {
        // A dateline: the first full date with a year in the first lines of the text.
        std::size_t pos = 0;
        for (int line = 0; line < 4 && pos < a.text.size() && a.published.empty(); ++line) {
            auto end = a.text.find('\n', pos);
            if (end == std::string::npos) {
                end = a.text.size();
            }
            const auto text =
                std::string_view(a.text).substr(pos, std::min<std::size_t>(end - pos, 300));
            for (const auto &d : find_dates(text, "")) {
                if (d.span.precision == DatePrecision::day && !d.span.relative && d.begin < 120) {
                    a.published = d.span.start;
                    break;
                }
            }
            pos = end + 1;
        }
    }
    return a;
}

} // namespace borderwatch
