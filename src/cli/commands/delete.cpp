// borderwatch delete: remove incidents by id, id lists or filters, in one transaction
// (see include/borderwatch/query/delete.hpp).
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"

#include <borderwatch/query/delete.hpp>
#include <borderwatch/query/filter_spec.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

class DeleteCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("ids", m_options.ids, "incident ids to remove")->type_name("ID...");
        app.add_option("--ids-from", m_options.id_files,
                       "remove the ids listed in FILE ('-' = stdin; repeatable): one id per "
                       "line, or a CSV with an event_id_cnty / id column such as ACLED's "
                       "deletions export")
            ->type_name("FILE")
            ->allow_extra_args(false);
        app.add_flag("-n,--dry-run", m_options.dry_run,
                     "list the ids that would be removed; change nothing");
        add_store_option(app, m_store);
        add_query_filter_options(app, m_filter);
        app.footer(
            "Removes the incidents given by id, by id list and/or matching the filters (the\n"
            "union), in one transaction. Without ids, --ids-from or a filter nothing is\n"
            "removed (exit 2). Asked-for ids not in the store are reported. --dry-run prints\n"
            "the ids it would remove, one per line, and removes nothing.\n"
            "A list with ACLED's deleted_timestamp column is remembered by the store: a\n"
            "later import of an older version of a deleted event (a file delivered again)\n"
            "is ignored; only a newer revision brings it back. A stored row newer than its\n"
            "deletion (revised after it) is kept and reported.\n\n"
            "Examples:\n"
            "  borderwatch delete TJK-2025-11-26-01 --store team.gpkg\n"
            "  borderwatch delete --ids-from acled_deletions.csv\n"
            "  borderwatch delete --to 2019-12-31 --dry-run\n\n" +
            exit_status_footer("  (1 when an id was not in the store; the others are "
                               "still removed)\n"));
    }

    void validate() override {
        validate_filter_spec(m_filter);
        m_options.use_filter = !m_filter.empty();
        check_delete_options(m_options);
    }

    int run() override {
        if (m_options.use_filter) {
            m_options.filter =
                resolve_filter_reporting(m_filter, globals().geodata, "delete", globals());
        }
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store,
                                      StoreOpenOptions{false, false});
        const auto result = delete_incidents(*store, m_options);
        for (const auto &id : result.missing) {
            std::cerr << "delete: no incident with id '" << id << "'\n";
        }
        for (const auto &id : result.kept_newer) {
            std::cerr << "delete: kept '" << id
                      << "': the store holds a revision newer than its deletion\n";
        }
        if (m_options.dry_run) {
            for (const auto &id : result.matched) {
                std::cout << id << '\n';
            }
            std::cerr << "delete: dry run: would remove " << result.matched.size()
                      << " incident(s) from " << store->describe() << '\n';
        } else {
            std::cout << "removed " << result.removed << " incident(s) from " << store->describe()
                      << '\n';
            if (result.remembered > 0) {
                std::cout << "remembered " << result.remembered
                          << " source deletion(s): older versions of them will not be "
                             "imported again\n";
            }
        }
        return result.missing.empty() ? exit_ok : exit_failure;
    }

  private:
    DeleteOptions m_options;
    FilterSpec m_filter;
    std::string m_store;
};

} // namespace

std::unique_ptr<Command> make_delete_command() {
    return std::make_unique<DeleteCommand>();
}

} // namespace borderwatch::cli
