// Place-name normalisation: ICU does the Unicode work (NFKC case folding and script
// transliteration); the phonetic key on top is plain ASCII code, so indexing and the
// pure-ASCII query path never touch ICU.
#include <borderwatch/gazetteer/normalize.hpp>

#include <borderwatch/core/error.hpp>

#include "gazetteer/detail/fold_memo.hpp"
#include "gazetteer/detail/fuzzy_index.hpp"
#include "geodata/geodata_cache.hpp"

#include <unicode/normalizer2.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>
#include <unicode/utypes.h>
#include <unicode/uvernum.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace borderwatch {

namespace {

// Tajik Cyrillic letters first (ru-ru_Latn/BGN does not know them; in Tajik ҳ is h, ҷ is j),
// then Russian BGN romanisation (ш sh, х kh, ж zh, я ya), Arabic script, anything else, and
// finally diacritics removed. The input is already NFKC case-folded, so lowercase suffices.
// Latin letters with a caron or cedilla stand for digraphs in the scholarly and older
// systems (ISO 9 / scientific: š ž č, and ç for ҷ; the Tajik Latin alphabet of 1928-40:
// ş ƶ, ç for ҷ, ƣ): they become the digraphs BGN/PCGN writes, so "Šahritus" meets
// "Shahritus" and "Vanç" meets "Vanj" (Latin-ASCII alone would give "Sahritus", "Vanc").
constexpr const char *fold_rules = "ҳ > h; ҷ > j; ӣ > i; ӯ > u; қ > q; ғ > gh; ъ > ; ь > ;"
                                   "ʼ > ; ʻ > ; ʹ > ; ʺ > ;"
                                   "š > sh; ş > sh; ș > sh; ž > zh; ƶ > zh; č > ch; ç > j; ǰ > j;"
                                   "ƣ > gh; ğ > gh; ǧ > gh;"
                                   // Persian says z for ض ظ ذ and s for ث ص: "فیض آباد" is
                                   // Fayzabad, not "fyd abad".
                                   "ض > z; ظ > z; ذ > z; ث > s; ص > s;\n"
                                   ":: ru-ru_Latn/BGN;\n"
                                   ":: Arabic-Latin;\n"
                                   ":: Any-Latin;\n"
                                   ":: Latin-ASCII;\n";

struct IcuFolder {
    const icu::Normalizer2 *casefold = nullptr;
    std::unique_ptr<icu::Transliterator> transliterator;
};

const IcuFolder &prototype() {
    static const IcuFolder folder = [] {
        IcuFolder f;
        UErrorCode status = U_ZERO_ERROR;
        f.casefold = icu::Normalizer2::getNFKCCasefoldInstance(status);
        if (U_FAILURE(status)) {
            throw DataError(std::string("ICU: cannot load NFKC_Casefold: ") + u_errorName(status));
        }
        UParseError parse_error{};
        f.transliterator.reset(icu::Transliterator::createFromRules(
            "borderwatch-fold", icu::UnicodeString::fromUTF8(fold_rules), UTRANS_FORWARD,
            parse_error, status));
        if (U_FAILURE(status) || !f.transliterator) {
            throw DataError(std::string("ICU: cannot build the transliterator: ") +
                            u_errorName(status));
        }
        return f;
    }();
    return folder;
}

// ICU transliterators are not safe for concurrent use: each thread gets its own clone.
icu::Transliterator &thread_transliterator() {
    thread_local std::unique_ptr<icu::Transliterator> local;
    if (!local) {
        static std::mutex clone_mutex;
        const std::lock_guard lock(clone_mutex);
        local.reset(prototype().transliterator->clone());
    }
    return *local;
}

bool is_ascii(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool is_vowel(char c) noexcept {
    return c == 'a' || c == 'i' || c == 'u';
}

std::string icu_fold(std::string_view utf8) {
    const auto &proto = prototype();
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString text = icu::UnicodeString::fromUTF8(
        icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    text = proto.casefold->normalize(text, status);
    if (U_FAILURE(status)) {
        return {};
    }
    thread_transliterator().transliterate(text);
    std::string out;
    text.toUTF8String(out);
    std::string ascii;
    ascii.reserve(out.size());
    for (char c : out) {
        if (static_cast<unsigned char>(c) < 0x80) {
            ascii.push_back(ascii_lower(c));
        }
    }
    return ascii;
}

struct AdminWord {
    const char *word;
    const char *kind;
};

// Words that name a unit's type, not the unit. Non-Latin entries are folded with the same
// transliterator at first use, so "район" becomes "rayon" and "ولسوالی" becomes "wlswaly".
constexpr std::array admin_words{
    // admin2
    AdminWord{"district", "admin2"},
    AdminWord{"districts", "admin2"},
    AdminWord{"distr", "admin2"},
    AdminWord{"rayon", "admin2"},
    AdminWord{"raion", "admin2"},
    AdminWord{"rajon", "admin2"},
    AdminWord{"rayoni", "admin2"},
    AdminWord{"raioni", "admin2"},
    AdminWord{"rayony", "admin2"},
    AdminWord{"raiony", "admin2"},
    AdminWord{"nohiya", "admin2"},
    AdminWord{"nohiyai", "admin2"},
    AdminWord{"nohiyah", "admin2"},
    AdminWord{"nohia", "admin2"},
    AdminWord{"nohiyi", "admin2"},
    AdminWord{"woleswali", "admin2"},
    AdminWord{"woluswali", "admin2"},
    AdminWord{"wuleswali", "admin2"},
    AdminWord{"wuluswali", "admin2"},
    AdminWord{"uluswali", "admin2"},
    AdminWord{"uleswali", "admin2"},
    AdminWord{"oluswali", "admin2"},
    AdminWord{"olusvali", "admin2"},
    AdminWord{"ulusvali", "admin2"},
    AdminWord{"woludwali", "admin2"},
    AdminWord{"woleswaly", "admin2"},
    AdminWord{"wolesvali", "admin2"},
    AdminWord{"uluswoli", "admin2"},
    AdminWord{"vulusvali", "admin2"},
    AdminWord{"tuman", "admin2"},
    AdminWord{"tumani", "admin2"},
    AdminWord{"район", "admin2"},
    AdminWord{"ноҳия", "admin2"},
    AdminWord{"нохия", "admin2"},
    AdminWord{"ноҳияи", "admin2"},
    AdminWord{"ولسوالی", "admin2"},
    AdminWord{"ولسوالي", "admin2"},
    // admin1
    AdminWord{"region", "admin1"},
    AdminWord{"regions", "admin1"},
    AdminWord{"province", "admin1"},
    AdminWord{"provinces", "admin1"},
    AdminWord{"prov", "admin1"},
    AdminWord{"oblast", "admin1"},
    AdminWord{"oblasti", "admin1"},
    AdminWord{"oblastj", "admin1"},
    AdminWord{"viloyat", "admin1"},
    AdminWord{"viloyati", "admin1"},
    AdminWord{"wiloyat", "admin1"},
    AdminWord{"vilayat", "admin1"},
    AdminWord{"vilayet", "admin1"},
    AdminWord{"wilayat", "admin1"},
    AdminWord{"wilayah", "admin1"},
    AdminWord{"welayat", "admin1"},
    AdminWord{"velayat", "admin1"},
    AdminWord{"velayati", "admin1"},
    AdminWord{"walayat", "admin1"},
    AdminWord{"autonomous", "admin1"},
    AdminWord{"avtonomnaya", "admin1"},
    AdminWord{"avtonomnoy", "admin1"},
    AdminWord{"mukhtor", "admin1"},
    AdminWord{"mukhtori", "admin1"},
    AdminWord{"область", "admin1"},
    AdminWord{"вилоят", "admin1"},
    AdminWord{"вилояти", "admin1"},
    AdminWord{"автономная", "admin1"},
    AdminWord{"мухтор", "admin1"},
    AdminWord{"мухтори", "admin1"},
    AdminWord{"ولایت", "admin1"},
    AdminWord{"ولايت", "admin1"},
    // populated places
    AdminWord{"town", "populated_place"},
    AdminWord{"city", "populated_place"},
    AdminWord{"village", "populated_place"},
    AdminWord{"kishlak", "populated_place"},
    AdminWord{"qishlaq", "populated_place"},
    AdminWord{"qishloq", "populated_place"},
    AdminWord{"settlement", "populated_place"},
    AdminWord{"город", "populated_place"},
    AdminWord{"посёлок", "populated_place"},
    AdminWord{"поселок", "populated_place"},
    AdminWord{"кишлак", "populated_place"},
    AdminWord{"село", "populated_place"},
    AdminWord{"қишлоқ", "populated_place"},
    AdminWord{"деҳа", "populated_place"},
    // countries
    AdminWord{"country", "country"},
    AdminWord{"republic", "country"},
    AdminWord{"respublikai", "country"},
    AdminWord{"respublika", "country"},
    AdminWord{"республика", "country"},
    AdminWord{"ҷумҳурии", "country"},
    AdminWord{"jumhurii", "country"},
};

struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
        return std::hash<std::string_view>{}(s);
    }
};

using AdminTable = std::unordered_map<std::string, std::string_view, StringHash, std::equal_to<>>;

const AdminTable &admin_word_table() {
    static const auto table = [] {
        AdminTable t;
        for (const auto &w : admin_words) {
            const auto tokens = tokenize_folded(fold_to_ascii(w.word));
            if (tokens.size() == 1) {
                t.emplace(tokens.front().text, w.kind);
            }
        }
        return t;
    }();
    return table;
}

} // namespace

bool is_valid_utf8(std::string_view text) noexcept {
    const auto *s = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + len > n) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0u) != 0x80u) {
                return false;
            }
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            return false;
        }
        i += len;
    }
    return true;
}

namespace {

using FoldMap = std::unordered_map<std::string, std::string, StringHash, std::equal_to<>>;

// The preloaded folds: replaced (never changed in place) under the mutex, read lock-free.
std::atomic<const FoldMap *> g_preloaded{nullptr};
std::mutex g_preload_mutex;
std::vector<std::unique_ptr<FoldMap>> g_preload_owner;

thread_local std::map<std::string, std::string> *t_recording = nullptr;

} // namespace

std::string fold_to_ascii(std::string_view utf8) {
    if (is_ascii(utf8)) {
        std::string out(utf8);
        for (auto &c : out) {
            c = ascii_lower(c);
        }
        return out;
    }
    std::string folded;
    bool found = false;
    if (const FoldMap *known = g_preloaded.load(std::memory_order_acquire); known != nullptr) {
        if (auto it = known->find(utf8); it != known->end()) {
            folded = it->second; // may be "" (a text of marks or punctuation only)
            found = true;
        }
    }
    if (!found) {
        // Transliteration costs ~10 us; queries repeat (batch files, the same names over and
        // over), so each thread keeps what it has folded.
        thread_local FoldMap cache;
        if (auto it = cache.find(utf8); it != cache.end()) {
            folded = it->second;
        } else {
            if (cache.size() > 50000) {
                cache.clear();
            }
            folded = icu_fold(utf8);
            cache.emplace(std::string(utf8), folded);
        }
    }
    if (t_recording != nullptr) {
        t_recording->emplace(std::string(utf8), folded);
    }
    return folded;
}

namespace detail {

void preload_folds(const Folds &folds) {
    const std::lock_guard lock(g_preload_mutex);
    auto map = std::make_unique<FoldMap>();
    if (const FoldMap *old = g_preloaded.load(std::memory_order_acquire); old != nullptr) {
        *map = *old;
    }
    for (const auto &[text, folded] : folds) {
        map->insert_or_assign(text, folded);
    }
    g_preloaded.store(map.get(), std::memory_order_release);
    g_preload_owner.push_back(std::move(map)); // earlier maps stay alive for readers
}

FoldRecorder::FoldRecorder() {
    if (t_recording == nullptr) {
        t_recording = new std::map<std::string, std::string>();
    }
    for (const auto &w : admin_words) {
        (void)fold_to_ascii(w.word);
    }
}

FoldRecorder::~FoldRecorder() {
    delete t_recording;
    t_recording = nullptr;
}

Folds FoldRecorder::folds() const {
    return t_recording != nullptr ? Folds(t_recording->begin(), t_recording->end()) : Folds();
}

std::string fold_signature() {
    return std::string("icu ") + U_ICU_VERSION + ", rules " + cache_key_hash(fold_rules);
}

} // namespace detail

std::vector<NameToken> tokenize_folded(std::string_view folded) {
    std::vector<NameToken> tokens;
    NameToken current;
    const auto flush = [&] {
        if (!current.text.empty()) {
            tokens.push_back(std::move(current));
        }
        current = NameToken{};
    };
    const std::size_t n = folded.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = ascii_lower(folded[i]);
        if (is_alnum(c)) {
            current.text.push_back(c);
        } else if (c == '\'' || c == '`' || c == '"') {
            // "qal'ai" is one word; "tajikistan's" is a possessive.
            if (!current.text.empty() && i + 1 < n && folded[i + 1] == 's' &&
                (i + 2 == n || !is_alnum(ascii_lower(folded[i + 2])))) {
                current.possessive = true;
                ++i;
                flush();
            }
        } else {
            flush();
        }
    }
    flush();
    return tokens;
}

std::string_view admin_word_kind(std::string_view folded_word) {
    const auto &table = admin_word_table();
    if (auto it = table.find(folded_word); it != table.end()) {
        return it->second;
    }
    return {};
}

std::string phonetic_word_key(std::string_view w) {
    std::string out;
    out.reserve(w.size());
    const std::size_t n = w.size();
    const auto next_is = [&](std::size_t i, std::string_view s) {
        return w.substr(i + 1, s.size()) == s;
    };
    for (std::size_t i = 0; i < n; ++i) {
        char c = w[i];
        char mapped = c;
        switch (c) {
        case 'd':
            if (next_is(i, "zh")) { // dzh -> j
                mapped = 'j';
                i += 2;
            } else if (next_is(i, "j")) {
                mapped = 'j';
                i += 1;
            }
            break;
        case 'z':
            if (next_is(i, "h")) {
                mapped = 'j';
                i += 1;
            }
            break;
        case 'k':
            if (next_is(i, "h")) {
                mapped = 'h';
                i += 1;
            }
            break;
        case 'g':
            if (next_is(i, "h")) {
                i += 1;
            }
            break;
        case 'p':
            if (next_is(i, "h")) {
                mapped = 'f';
                i += 1;
            }
            break;
        case 'o':
            if (next_is(i, "u")) {
                mapped = 'u';
                i += 1;
            } else {
                mapped = 'a';
            }
            break;
        case 'q':
            mapped = 'k';
            break;
        case 'x':
            mapped = 'h';
            break;
        case 'w':
        case 'b':
            mapped = 'v';
            break;
        case 'e':
        case 'y':
            mapped = 'i';
            break;
        default:
            break;
        }
        if (out.empty() || out.back() != mapped) {
            out.push_back(mapped);
        }
    }
    // Persian word-final silent h ("Qal'ah" = "Qala").
    if (out.size() > 2 && out.back() == 'h' && is_vowel(out[out.size() - 2])) {
        out.pop_back();
    }
    return out;
}

NameKey name_key(std::string_view utf8) {
    NameKey key;
    const auto tokens = tokenize_folded(fold_to_ascii(utf8));
    std::size_t admin_count = 0;
    for (const auto &t : tokens) {
        const auto kind = admin_word_kind(t.text);
        if (!kind.empty()) {
            ++admin_count;
            if (key.kind_hint.empty()) {
                key.kind_hint = kind;
            }
        }
    }
    const bool strip = admin_count < tokens.size();
    if (!strip) {
        key.kind_hint.clear();
    }
    for (const auto &t : tokens) {
        if (strip && !admin_word_kind(t.text).empty()) {
            continue;
        }
        if (!key.plain.empty()) {
            key.plain.push_back(' ');
        }
        key.plain += t.text;
        for (char c : phonetic_word_key(t.text)) {
            if (key.phonetic.empty() || key.phonetic.back() != c) {
                key.phonetic.push_back(c);
            }
        }
    }
    return key;
}

double key_similarity(std::string_view a, std::string_view b) {
    return detail::osa_similarity(a, b);
}

} // namespace borderwatch
