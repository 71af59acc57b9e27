#pragma once
/// @file
/// One event, several rows: the same incident coded by ACLED and UCDP, or entered twice from
/// two reports, is linked into an event cluster, so statistics count it once.
///
/// The rule (docs/incident-schema.md, "Event clusters"): two rows are linked when
/// - their placed points lie within U(a) + U(b) + tolerance of each other (geodesic, WGS84;
///   U = location_uncertainty_km() of each row's precision; rows known only to country level
///   or worse, or not placed, are never linked by place),
/// - their date ranges [event_date, event_date_end] overlap, and
/// - their event types are compatible (compatible_event_types()).
/// Links are transitive (a cluster is a connected component). A row's `same_as` ("|"-separated
/// ids) links it to those rows whatever the rule says; `same_as = none` keeps it out of the
/// automatic links. A cluster is named by its smallest member id (byte order), so the name is
/// stable while that member stays.

#include <borderwatch/incidents/incident.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace borderwatch {

struct LinkOptions {
    /// false (`--no-link`): no automatic links; explicit same_as links still hold.
    bool automatic = true;
    /// Added to the two rows' uncertainties: two codings of one exact place (a village
    /// placed by two gazetteers) lie a few km apart.
    double tolerance_km = 5.0;
};

/// The value of `same_as` that keeps a row out of the automatic links.
inline constexpr std::string_view k_same_as_none = "none";

/// What linking needs of one row.
struct LinkRecord {
    std::string id;
    long start_day = 0; ///< days since 1970-01-01 of event_date
    long end_day = 0;   ///< of event_date_end (or event_date)
    bool dated = false; ///< both dates valid
    std::optional<double> lon, lat;
    std::optional<int> precision;
    std::string event_type;
    /// Coded by UCDP (source_dataset "ucdp", or an id "UCDP-..."): coarse types, see
    /// compatible_event_types().
    bool ucdp = false;
    std::vector<std::string> same_as;
    bool opt_out = false; ///< same_as = none
};

/// A source of incidents: calls its argument once per incident (a store query, a file).
using IncidentSource = std::function<void(const std::function<void(const Incident &)> &)>;

/// The LinkRecord of @p incident. Ids (its own and those of same_as) are made valid text
/// (sanitize_text) as every output makes them.
[[nodiscard]] LinkRecord link_record(const Incident &incident);

/// True when the two event types may describe one event: equal (ASCII case-insensitive), one
/// of them unknown (""), or — when one row is UCDP-coded, whose three types are coarser than
/// ACLED's — both among the political-violence types Battles, Explosions/Remote violence and
/// Violence against civilians.
[[nodiscard]] bool compatible_event_types(std::string_view a, bool a_ucdp, std::string_view b,
                                          bool b_ucdp) noexcept;

/// The clusters of a set of rows.
class EventClusters {
  public:
    /// Link @p records (ids unique; a repeated id keeps its first record).
    static EventClusters build(std::vector<LinkRecord> records, const LinkOptions &options = {});

    struct Membership {
        std::string_view cluster; ///< the cluster's name: its smallest member id
        std::size_t size = 1;     ///< members
    };
    /// The cluster of @p id; an id not among the records is its own cluster of one.
    [[nodiscard]] Membership of(std::string_view id) const;

    [[nodiscard]] std::size_t rows() const noexcept { return m_rows; }
    [[nodiscard]] std::size_t clusters() const noexcept { return m_clusters; }
    /// Rows folded into another row's event: rows() - clusters().
    [[nodiscard]] std::size_t merged_rows() const noexcept { return m_rows - m_clusters; }
    /// Clusters of two or more members: name → member ids (sorted).
    [[nodiscard]] const std::map<std::string, std::vector<std::string>, std::less<>> &
    multi() const noexcept {
        return m_multi;
    }

  private:
    std::size_t m_rows = 0;
    std::size_t m_clusters = 0;
    std::map<std::string, std::vector<std::string>, std::less<>> m_multi;
    std::map<std::string, std::string, std::less<>> m_cluster_of; ///< members of m_multi only
};

/// The clusters of every incident @p source gives (one pass; keeps a LinkRecord per row).
[[nodiscard]] EventClusters cluster_events(const IncidentSource &source,
                                           const LinkOptions &options = {});

/// One incident standing for a whole cluster in counts: the member located most precisely
/// (lowest precision code; then the earliest id) with fatalities merged — best the median of
/// the members' best estimates (the lower one of the two middle values), low the smallest low
/// (or best) and high the largest high (or best) of any member; unknown where no member knows.
[[nodiscard]] Incident merge_cluster(const std::vector<Incident> &members);

/// Streams incidents (in any order) and hands each event once to @p sink: a row of a
/// one-member cluster at once, a cluster's merged incident (merge_cluster()) when its last
/// member arrived; finish() hands on the clusters of which not every member came (a filter
/// left some out), merged over those that did.
class ClusterFolder {
  public:
    ClusterFolder(const EventClusters &clusters, std::function<void(const Incident &)> sink);
    void add(const Incident &incident);
    void finish();

  private:
    const EventClusters &m_clusters;
    std::function<void(const Incident &)> m_sink;
    std::map<std::string, std::vector<Incident>, std::less<>> m_pending;
};

} // namespace borderwatch
