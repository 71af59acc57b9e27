#pragma once
// Known results of the ICU fold (non-ASCII text -> folded ASCII), so a gazetteer can be
// indexed without building ICU's transliterator (which costs ~0.1 s): Gazetteer::load()
// records the folds it makes into the geodata cache and preloads them on later runs.
// fold_to_ascii() consults the preloaded folds first; a text not among them is folded by
// ICU as before, so the memo only saves time and never changes a result.

#include <string>
#include <utility>
#include <vector>

namespace borderwatch::detail {

using Folds = std::vector<std::pair<std::string, std::string>>;

/// Make @p folds known to fold_to_ascii() in this process (added to earlier ones).
void preload_folds(const Folds &folds);

/// While alive, records every non-ASCII fold_to_ascii() call of this thread (with the admin
/// words', folded at construction), for the cache.
class FoldRecorder {
  public:
    FoldRecorder();
    ~FoldRecorder();
    FoldRecorder(const FoldRecorder &) = delete;
    FoldRecorder &operator=(const FoldRecorder &) = delete;
    /// The folds recorded so far, sorted by text.
    [[nodiscard]] Folds folds() const;
};

/// Identifies the fold (ICU version and transliteration rules): part of the cache's key.
[[nodiscard]] std::string fold_signature();

} // namespace borderwatch::detail
