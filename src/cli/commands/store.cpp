// borderwatch store: explicit schema management of an incident store.
//   store init  create or migrate the schema (the only way a PostGIS database gets tables)
//   store info  backend, schema version, number of incidents, remembered deletions, state token
#include "cli/commands/commands.hpp"

#include <borderwatch/core/error.hpp>
#include <borderwatch/store/store.hpp>

#include <iostream>

namespace borderwatch::cli {

namespace {

class StoreCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.require_subcommand(1);
        auto *init = app.add_subcommand(
            "init", "create the store's schema, or migrate it to this program's version");
        auto *info = app.add_subcommand("info", "print backend, schema version, counts, state");
        for (auto *sub : {init, info}) {
            sub->add_option("--store", m_store,
                            "incident store: FILE.gpkg, PG:\"dbname=... host=... user=...\" or "
                            "postgresql://... (default $BORDERWATCH_STORE or borderwatch.gpkg)")
                ->type_name("SPEC");
            // Global options (-v, -q, ...) declared on `store` also work after the action.
            sub->fallthrough();
        }
        init->callback([this] { m_action = "init"; });
        info->callback([this] { m_action = "info"; });
        app.footer(
            "Actions:\n"
            "  init   create the schema (tables, spatial index, version record) or migrate an\n"
            "         older one. A PostGIS database is never changed by any other command;\n"
            "         a database written by a newer borderwatch is refused untouched.\n"
            "  info   backend, schema version, number of incidents, source deletions the store\n"
            "         remembers (import --deletions) and the state token.\n\n"
            "Passwords: prefer ~/.pgpass, PGPASSWORD or a service file over password= in the\n"
            "spec; borderwatch masks passwords in every message and manifest either way (the\n"
            "store is shown as libpq parses the spec: ... user=u password=*** ...).\n"
            "Schemas: PG:... active_schema=NAME keeps the store's tables in schema NAME (info\n"
            "shows the schema used as active_schema=); teams in one database stay apart.\n\n"
            "Examples:\n"
            "  borderwatch store init --store \"PG:dbname=incidents host=db.example "
            "user=analyst\"\n"
            "  borderwatch store init --store postgresql://analyst@db.example/incidents\n"
            "  borderwatch store info --store incidents.gpkg\n\n" +
            exit_status_footer("  (1 also when the store's schema is newer than this program)\n"));
    }

    int run() override {
        const std::string spec = m_store.empty() ? default_store_spec() : m_store;
        StoreOpenOptions options;
        if (m_action == "init") {
            options.init = true;
            options.create_if_missing = true;
        } else {
            options.create_if_missing = false;
        }
        const auto store = open_store(spec, options);
        if (m_action == "init") {
            std::cout << "initialised " << store->describe() << ": schema version "
                      << store->schema_version() << ", " << store->count() << " incidents\n";
            return exit_ok;
        }
        std::cout << "store: " << store->describe() << '\n'
                  << "schema_version: " << store->schema_version() << '\n'
                  << "incidents: " << store->count() << '\n'
                  << "remembered_deletions: " << store->remembered_deletions() << '\n'
                  << "state: " << store->state() << '\n';
        return exit_ok;
    }

  private:
    std::string m_store;
    std::string m_action;
};

} // namespace

std::unique_ptr<Command> make_store_command() {
    return std::make_unique<StoreCommand>();
}

} // namespace borderwatch::cli
