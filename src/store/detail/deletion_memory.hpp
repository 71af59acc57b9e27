#pragma once
// The deletions a store remembers (StoreWriter::remember_deletions), held in memory by a
// writer so both backends screen incoming rows with one rule: a row of a deleted id is kept
// out unless it is a newer revision (is_deleted_revision(), incidents/sources.hpp); a row
// that gets through makes the store forget the deletion. The backends only load and persist
// the table (borderwatch_deletions).

#include <borderwatch/store/store.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace borderwatch::detail {

class DeletionMemory {
  public:
    /// Remember @p id as deleted at @p revision; an id remembered already keeps the larger one.
    void remember(const std::string &id, std::int64_t revision);
    [[nodiscard]] bool empty() const noexcept { return m_revisions.empty(); }
    [[nodiscard]] std::size_t size() const noexcept { return m_revisions.size(); }

    /// What screen() decided for one batch.
    struct Screened {
        std::vector<Incident> rows;         ///< the rows that go on, in batch order
        std::vector<std::string> hashes;    ///< their hashes (when hashes were given)
        std::vector<std::size_t> index;     ///< each row's position in the batch
        std::size_t deleted = 0;            ///< rows kept out
        std::vector<std::string> forgotten; ///< deletions no longer remembered: persist them
    };
    /// Screen @p batch (and @p hashes, empty or one per row) in order. @return nullopt when
    /// every row goes on and nothing is forgotten (the caller then uses the batch as it is).
    [[nodiscard]] std::optional<Screened> screen(const std::vector<Incident> &batch,
                                                 const std::vector<std::string> &hashes);

  private:
    std::unordered_map<std::string, std::int64_t> m_revisions;
};

} // namespace borderwatch::detail
