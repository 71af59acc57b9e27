#include "store/detail/deletion_memory.hpp"

#include <borderwatch/incidents/sources.hpp>

#include <algorithm>

namespace borderwatch::detail {

void DeletionMemory::remember(const std::string &id, std::int64_t revision) {
    const auto [it, fresh] = m_revisions.try_emplace(id, revision);
    if (!fresh) {
        it->second = std::max(it->second, revision);
    }
}

std::optional<DeletionMemory::Screened>
DeletionMemory::screen(const std::vector<Incident> &batch, const std::vector<std::string> &hashes) {
    if (m_revisions.empty()) {
        return std::nullopt;
    }
    // Most batches touch no deleted id: find the first row that does before copying.
    auto touched = [&](const Incident &x) { return m_revisions.count(x.id) != 0; };
    const auto first = std::find_if(batch.begin(), batch.end(), touched);
    if (first == batch.end()) {
        return std::nullopt;
    }
    Screened out;
    const auto start = static_cast<std::size_t>(first - batch.begin());
    out.rows.assign(batch.begin(), first);
    for (std::size_t i = 0; i < start; ++i) {
        out.index.push_back(i);
    }
    if (!hashes.empty()) {
        out.hashes.assign(hashes.begin(), hashes.begin() + static_cast<std::ptrdiff_t>(start));
    }
    for (std::size_t i = start; i < batch.size(); ++i) {
        const auto &x = batch[i];
        const auto it = m_revisions.find(x.id);
        if (it != m_revisions.end()) {
            if (is_deleted_revision(x.source_revision, it->second)) {
                ++out.deleted;
                continue;
            }
            out.forgotten.push_back(x.id);
            m_revisions.erase(it);
        }
        out.rows.push_back(x);
        out.index.push_back(i);
        if (!hashes.empty()) {
            out.hashes.push_back(hashes[i]);
        }
    }
    return out;
}

} // namespace borderwatch::detail
