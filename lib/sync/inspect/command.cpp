#include "sync/inspect/command.hpp"

#include <ctime>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "control/client.hpp"
#include "cli/human.hpp"
#include "storage/layout.hpp"
#include "sync/inspect/inspect.hpp"
#include "sync/store/realm_store.hpp"

namespace ros::sync::inspect {
namespace {

using nlohmann::json;
constexpr const char* kProgram = "ros-realm";
constexpr int kOk = 0, kRefused = 1, kUsage = 2;

using Direct = std::function<Result<json>(const storage::Layout&)>;
using Render = std::function<void(const json&, std::ostream&)>;

std::string compact(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

int print(const RealmCommandOptions& o, const json& result, const Render& render) {
  if (o.json) {
    std::cout << compact(result) << "\n";
    return kOk;
  }
  try {
    render(result, std::cout);
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": internal error while printing the result: " << e.what() << "\n";
    return kRefused;
  }
  return kOk;
}

int refused(const Error& e) {
  std::cerr << kProgram << ": " << e.message << "\n";
  return kRefused;
}

// Asks ros-syncd, or reads the files when it is not running (see the header).
int run(const RealmCommandOptions& o, const std::string& op, const json& args, bool read_only,
        const Direct& direct, const Render& render) {
  config::Loaded loaded = config::load_config(o.config);
  if (!loaded.ok()) {
    std::cerr << loaded.format_errors();
    std::cerr << kProgram << ": cannot read the configuration (check it with: ros-check-config "
              << loaded.file_as_given << ")\n";
    return kRefused;
  }
  const auto socket = control::socket_path(loaded.config.effective_socket_dir(), "ros-syncd");
  auto client = control::Client::connect(socket, "ros-syncd");
  std::string why;
  if (client) {
    auto checked = client->check_protocol();
    if (!checked) return refused(checked.error());
    auto result = client->call(op, args);
    if (result) {
      if (o.verbose) std::cerr << kProgram << ": answered by ros-syncd (" << socket.string() << ")\n";
      return print(o, *result, render);
    }
    if (result.error().code != Errc::unknown_op) return refused(result.error());
    if (!read_only) {
      return refused(make_error(Errc::unavailable,
                                "ros-syncd is running but does not know '" + op +
                                    "'; stop it or upgrade it before removing a Realm"));
    }
    why = "ros-syncd does not know '" + op + "'";
  } else if (client.error().code == Errc::unavailable) {
    why = "ros-syncd is not running";
  } else {
    return refused(client.error());
  }
  const storage::Layout layout(loaded.config.storage.root_path);
  if (o.verbose) {
    std::cerr << kProgram << ": reading the files in " << layout.realms_dir().string()
              << " directly: " << why << "\n";
  }
  auto result = direct(layout);
  if (!result) return refused(result.error());
  return print(o, *result, render);
}

// Opens the existing Realm at `path` and runs `fn` on it; adds "path".
Result<json> with_store(const storage::Layout& layout, const std::string& path,
                        const std::function<Result<json>(store::RealmStore&)>& fn) {
  auto file = realm_file(layout, path);
  if (!file) return file.error();
  auto opened = store::RealmStore::open(*file);
  if (!opened) return opened.error();
  auto result = fn(**opened);
  if (!result) return result.error();
  (*result)["path"] = path;
  return result;
}

std::string column_text(const json& c) {
  std::string type = c["type"].get<std::string>();
  if (c.contains("linkTarget")) type += "<" + c["linkTarget"].get<std::string>() + ">";
  if (c["nullable"].get<bool>()) type += "?";
  const std::string coll = c["collection"].get<std::string>();
  return coll == "Single" ? type : coll + "<" + type + ">";
}

void print_class(const std::string& name, const json& c, std::ostream& out) {
  out << (c["embedded"].get<bool>() ? "embedded class " : "class ") << name;
  if (c["primaryKey"].is_object()) {
    out << " (primary key " << c["primaryKey"]["field"].get<std::string>() << ")";
  }
  out << "\n";
  for (const auto& [field, col] : c["columns"].items()) {
    out << "  " << std::left << std::setw(24) << field << " " << column_text(col) << "\n";
  }
}

void render_schema(const json& r, std::ostream& out) {
  if (r["classes"].empty()) out << "(no classes)\n";
  for (const auto& [name, c] : r["classes"].items()) print_class(name, c, out);
}

void render_show(const json& r, std::ostream& out) {
  if (r["classes"].empty()) out << "(no classes)\n";
  bool first = true;
  for (const auto& [name, c] : r["classes"].items()) {
    if (!first) out << "\n";
    first = false;
    print_class(name, c, out);
    if (c.contains("objectCount")) {
      out << "  " << c["objectCount"].get<std::uint64_t>() << " embedded objects (shown inside their owners)\n";
      continue;
    }
    const auto& objects = c["objects"];
    out << "  objects: " << objects.size() << " of " << c["objectTotal"].get<std::uint64_t>()
        << "\n";
    for (const auto& obj : objects) out << "    " << compact(obj) << "\n";
  }
}

std::string time_text(std::uint64_t ms_since_2015) {
  constexpr std::time_t kEpoch2015 = 1420070400;
  std::time_t t = kEpoch2015 + static_cast<std::time_t>(ms_since_2015 / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void render_history(const json& r, std::ostream& out) {
  out << "latest version " << r["latest"]["version"].get<std::uint64_t>() << " (salt "
      << r["latest"]["salt"].get<std::uint64_t>() << ")\n";
  for (const auto& e : r["entries"]) {
    out << "\nversion " << e["version"].get<std::uint64_t>() << "  salt " << e["salt"].get<std::uint64_t>()
        << "  from file " << e["origin_file_ident"].get<std::uint64_t>() << " (client version "
        << e["client_version"].get<std::uint64_t>() << ", based on "
        << e["base_server_version"].get<std::uint64_t>() << ")  "
        << time_text(e["origin_timestamp"].get<std::uint64_t>()) << "  "
        << e["size"].get<std::uint64_t>() << " bytes\n";
    if (e.contains("decode_error")) {
      out << "  cannot decode: " << e["decode_error"].get<std::string>() << "\n";
      continue;
    }
    for (const auto& i : e["changeset"]["instructions"]) out << "  " << compact(i) << "\n";
  }
  if (r.value("truncated", false)) out << "\n(more versions follow; use --from and --limit)\n";
}

void render_list(const json& r, std::ostream& out) {
  out << std::left << std::setw(40) << "PATH" << std::setw(34) << "OWNER" << std::setw(11)
      << "SIZE" << std::setw(9) << "HISTORY" << std::setw(9) << "LATEST" << "CLIENTS\n";
  for (const auto& realm : r["realms"]) {
    out << std::setw(40) << realm["path"].get<std::string>() << std::setw(34)
        << (realm["owner"].is_string() ? realm["owner"].get<std::string>() : "-") << std::setw(11)
        << cli::human_bytes(realm["size"].get<std::uint64_t>());
    if (realm.contains("error")) {
      out << "unreadable: " << realm["error"].get<std::string>() << "\n";
      continue;
    }
    out << std::setw(9) << realm["history_length"].get<std::uint64_t>() << std::setw(9)
        << realm["latest_version"].get<std::uint64_t>()
        << (realm.contains("clients") ? std::to_string(realm["clients"].get<std::uint64_t>()) : "-")
        << "\n";
  }
}

}  // namespace

int realm_ls(const RealmCommandOptions& o) {
  return run(o, "realm.list", json::object(), true,
             [](const storage::Layout& layout) -> Result<json> { return list_realms(layout); },
             render_list);
}

int realm_show(const RealmCommandOptions& o, const std::string& path,
               const std::optional<std::string>& cls, std::size_t limit) {
  json args{{"path", path}, {"limit", limit}};
  if (cls) args["class"] = *cls;
  return run(o, "realm.show", args, true,
             [&](const storage::Layout& layout) {
               return with_store(layout, path,
                                 [&](store::RealmStore& s) { return show_realm(s, cls, limit); });
             },
             render_show);
}

int realm_schema_command(const RealmCommandOptions& o, const std::string& path) {
  return run(o, "realm.schema", json{{"path", path}}, true,
             [&](const storage::Layout& layout) {
               return with_store(layout, path,
                                 [&](store::RealmStore& s) { return realm_schema(s); });
             },
             render_schema);
}

int realm_history_command(const RealmCommandOptions& o, const std::string& path, std::uint64_t from,
                          std::size_t limit) {
  return run(o, "realm.history", json{{"path", path}, {"from", from}, {"limit", limit}}, true,
             [&](const storage::Layout& layout) {
               return with_store(layout, path, [&](store::RealmStore& s) {
                 return realm_history(s, from, limit);
               });
             },
             render_history);
}

int realm_rm(const RealmCommandOptions& o, const std::string& path, bool force) {
  if (!force) {
    std::cerr << kProgram << ": removing '" << path
              << "' deletes its data and history for every user; add --force to do it\n";
    return kUsage;
  }
  return run(o, "realm.rm", json{{"path", path}}, false,
             [&](const storage::Layout& layout) { return remove_realm(layout, path); },
             [](const json& r, std::ostream& out) {
               out << "removed Realm '" << r["removed"].get<std::string>() << "'\n";
             });
}

}  // namespace ros::sync::inspect
