// borderwatch delete: remove incidents by id, in one transaction.
#include "cli/commands/commands.hpp"
#include "cli/commands/incidents_common.hpp"

#include <borderwatch/store/store.hpp>

#include <algorithm>
#include <iostream>

namespace borderwatch::cli {

namespace {

class DeleteCommand final : public Command {
  public:
    void setup(CLI::App &app) override {
        app.add_option("ids", m_ids, "incident ids to remove")->required()->type_name("ID...");
        add_store_option(app, m_store);
        app.footer(
            "Removes the incidents in one transaction. Ids not in the store are reported.\n\n"
            "Example:\n  borderwatch delete TJK-2025-11-26-01 --store team.gpkg\n\n" +
            exit_status_footer("  (1 when an id was not in the store; the others are "
                               "still removed)\n"));
    }

    int run() override {
        const auto store = open_store(m_store.empty() ? default_store_spec() : m_store,
                                      StoreOpenOptions{false, false});
        QueryFilter present;
        present.ids = m_ids;
        std::vector<std::string> found;
        store->query(
            present, [&](const Incident &x) { found.push_back(x.id); }, StoredText::raw);
        const auto removed = store->remove(m_ids);
        int status = exit_ok;
        for (const auto &id : m_ids) {
            if (std::find(found.begin(), found.end(), id) == found.end()) {
                std::cerr << "delete: no incident with id '" << id << "'\n";
                status = exit_failure;
            }
        }
        std::cout << "removed " << removed << " incident(s) from " << store->describe() << '\n';
        return status;
    }

  private:
    std::vector<std::string> m_ids;
    std::string m_store;
};

} // namespace

std::unique_ptr<Command> make_delete_command() {
    return std::make_unique<DeleteCommand>();
}

} // namespace borderwatch::cli
