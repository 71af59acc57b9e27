// GeoPackage R-tree bulk load: see gpkg/rtree.hpp.

#include "gpkg/rtree.hpp"

#include "gpkg/sqlite.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/core/numbers.hpp>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>

namespace borderwatch::detail {

namespace {

// Hilbert index of a lon/lat (16 bits per axis), for a spatially coherent leaf order.
std::uint32_t hilbert_index(double lon, double lat) {
    constexpr std::uint32_t n = 1U << 16;
    auto quantize = [](double v, double lo, double hi) {
        const double t = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
        return std::min(static_cast<std::uint32_t>(t * n), n - 1);
    };
    std::uint32_t x = quantize(lon, -180, 180);
    std::uint32_t y = quantize(lat, -90, 90);
    std::uint32_t d = 0;
    for (std::uint32_t s = n / 2; s > 0; s /= 2) {
        const std::uint32_t rx = (x & s) > 0 ? 1 : 0;
        const std::uint32_t ry = (y & s) > 0 ? 1 : 0;
        d += s * s * ((3 * rx) ^ ry);
        if (ry == 0) {
            if (rx == 1) {
                x = s - 1 - x;
                y = s - 1 - y;
            }
            std::swap(x, y);
        }
    }
    return d;
}

struct RtreeCell {
    std::int64_t id; // rowid (leaf) or child node number
    float box[4];    // minx, maxx, miny, maxy
};

void put_be(unsigned char *p, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i) {
        p[i] = static_cast<unsigned char>(v & 0xFF);
        v >>= 8;
    }
}

// (fid, leaf node) pairs, written to the %_rowid table in fid order: appending to its B-tree
// is several times faster than inserting in Hilbert (random fid) order.
struct RowidEntry {
    std::int64_t fid;
    std::int64_t nodeno;
};
constexpr std::size_t k_rowid_chunk = 256; // 512 parameters: under every SQLite's limit

struct FidOrder {
    bool operator()(const RowidEntry &a, const RowidEntry &b) const noexcept {
        return a.fid < b.fid;
    }
};

} // namespace

RtreeEntry rtree_entry(std::int64_t fid, double minx, double maxx, double miny, double maxy) {
    return RtreeEntry{hilbert_index((minx + maxx) / 2, (miny + maxy) / 2),
                      {float_at_or_below(minx), float_at_or_above(maxx), float_at_or_below(miny),
                       float_at_or_above(maxy)},
                      fid};
}

// Rebuild the GeoPackage R-tree @p rtree from @p entries by packing its nodes directly
// (Hilbert-sorted leaves, full nodes), the way SQLite's rtree module lays them out: node
// blobs of the size the table already uses, 2-byte depth (root) and cell count, cells of
// 8-byte id + four big-endian floats; %_rowid maps rows to leaves, %_parent nodes to
// parents. Orders of magnitude faster than inserting rows one by one for large imports;
// memory holds one sort chunk and one entry per leaf node.
void pack_rtree(sqlite3 *db, const std::string &file, const std::string &rtree,
                RtreeSorter &entries) {
    const std::string table = "\"" + rtree; // + "_node\"" etc. (GeoPackage names have no '"')
    std::size_t node_size = 0;
    {
        Stmt s(db, "SELECT length(data) FROM " + table + "_node\" WHERE nodeno = 1", file);
        node_size = s.step() ? static_cast<std::size_t>(s.int64(0)) : 0;
    }
    if (node_size < 4 + 24 * 4) {
        throw IoError("GeoPackage " + file + ": unexpected R-tree node size");
    }
    const std::size_t max_cells = (node_size - 4) / 24;
    sqlite_exec(db,
                "DELETE FROM " + table + "_node\"; DELETE FROM " + table + "_rowid\";" +
                    "DELETE FROM " + table + "_parent\";",
                file);
    Stmt put_node(db, "INSERT INTO " + table + "_node\"(nodeno, data) VALUES (?1, ?2)", file);
    Stmt put_rowid(db, "INSERT INTO " + table + "_rowid\"(rowid, nodeno) VALUES (?1, ?2)", file);
    // The rowid map has a row per entry: k_rowid_chunk rows per statement (one statement
    // each costs as much again as the row itself).
    std::string chunk_sql = "INSERT INTO " + table + "_rowid\"(rowid, nodeno) VALUES ";
    for (std::size_t i = 0; i < k_rowid_chunk; ++i) {
        chunk_sql += (i == 0 ? "(?" : ", (?") + std::to_string(2 * i + 1) + ", ?" +
                     std::to_string(2 * i + 2) + ")";
    }
    Stmt put_rowids(db, chunk_sql, file);
    std::vector<RowidEntry> pending;
    pending.reserve(k_rowid_chunk);
    Stmt put_parent(db, "INSERT INTO " + table + "_parent\"(nodeno, parentnode) VALUES (?1, ?2)",
                    file);
    std::vector<unsigned char> blob(node_size);
    auto write_node = [&](std::int64_t nodeno, const std::vector<RtreeCell> &cells,
                          std::size_t begin, std::size_t end, int depth) {
        std::fill(blob.begin(), blob.end(), 0);
        put_be(blob.data(), static_cast<std::uint64_t>(depth), 2);
        put_be(blob.data() + 2, end - begin, 2);
        unsigned char *p = blob.data() + 4;
        for (std::size_t i = begin; i < end; ++i, p += 24) {
            put_be(p, static_cast<std::uint64_t>(cells[i].id), 8);
            for (int k = 0; k < 4; ++k) {
                std::uint32_t bits = 0;
                std::memcpy(&bits, &cells[i].box[k], 4);
                put_be(p + 8 + 4 * k, bits, 4);
            }
        }
        put_node.rewind();
        put_node.bind(1, nodeno);
        put_node.bind_blob(2, blob.data(), static_cast<int>(blob.size()));
        put_node.step();
    };
    auto bound = [](const std::vector<RtreeCell> &cells, std::size_t begin, std::size_t end,
                    std::int64_t id) {
        RtreeCell b{
            id,
            {cells[begin].box[0], cells[begin].box[1], cells[begin].box[2], cells[begin].box[3]}};
        for (std::size_t i = begin + 1; i < end; ++i) {
            b.box[0] = std::min(b.box[0], cells[i].box[0]);
            b.box[1] = std::max(b.box[1], cells[i].box[1]);
            b.box[2] = std::min(b.box[2], cells[i].box[2]);
            b.box[3] = std::max(b.box[3], cells[i].box[3]);
        }
        return b;
    };

    const std::size_t total = entries.size();
    if (total == 0) {
        std::vector<RtreeCell> none;
        write_node(1, none, 0, 0, 0);
        return;
    }
    std::vector<RtreeCell> leaf_cells;
    leaf_cells.reserve(max_cells);
    std::vector<RtreeCell> level; // bounding cells of the nodes of the level being built
    SpoolSorter<RowidEntry, FidOrder> rowids;
    const bool root_is_leaf = total <= max_cells;
    std::int64_t next_node = 2;
    auto flush_leaf = [&] {
        if (leaf_cells.empty()) {
            return;
        }
        const std::int64_t nodeno = root_is_leaf ? 1 : next_node++;
        write_node(nodeno, leaf_cells, 0, leaf_cells.size(), 0);
        for (const auto &c : leaf_cells) {
            rowids.add(RowidEntry{c.id, nodeno});
        }
        level.push_back(bound(leaf_cells, 0, leaf_cells.size(), nodeno));
        leaf_cells.clear();
    };
    entries.merge([&](const RtreeEntry &e) {
        leaf_cells.push_back(RtreeCell{e.fid, {e.box[0], e.box[1], e.box[2], e.box[3]}});
        if (leaf_cells.size() == max_cells) {
            flush_leaf();
        }
    });
    flush_leaf();
    rowids.merge([&](const RowidEntry &r) {
        pending.push_back(r);
        if (pending.size() < k_rowid_chunk) {
            return;
        }
        put_rowids.rewind();
        for (std::size_t i = 0; i < k_rowid_chunk; ++i) {
            put_rowids.bind(static_cast<int>(2 * i + 1), pending[i].fid);
            put_rowids.bind(static_cast<int>(2 * i + 2), pending[i].nodeno);
        }
        put_rowids.step();
        pending.clear();
    });
    for (const auto &r : pending) {
        put_rowid.rewind();
        put_rowid.bind(1, r.fid);
        put_rowid.bind(2, r.nodeno);
        put_rowid.step();
    }
    if (root_is_leaf) {
        return;
    }
    int depth = 1;
    while (true) {
        const bool is_root = level.size() <= max_cells;
        std::vector<RtreeCell> up;
        for (std::size_t begin = 0; begin < level.size(); begin += max_cells) {
            const std::size_t end = std::min(begin + max_cells, level.size());
            const std::int64_t nodeno = is_root ? 1 : next_node++;
            write_node(nodeno, level, begin, end, is_root ? depth : 0);
            for (std::size_t i = begin; i < end; ++i) {
                put_parent.rewind();
                put_parent.bind(1, level[i].id);
                put_parent.bind(2, nodeno);
                put_parent.step();
            }
            up.push_back(bound(level, begin, end, nodeno));
        }
        if (is_root) {
            break;
        }
        level = std::move(up);
        ++depth;
    }
}

} // namespace borderwatch::detail
