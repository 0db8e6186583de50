#include "sync/server/control_ops.hpp"

#include "storage/realm_path.hpp"
#include "sync/inspect/inspect.hpp"

namespace ros::sync::server {

using control::Access;
using control::Arg;
using control::ArgType;
using control::Request;
using nlohmann::json;

namespace {

// A non-negative integer argument, `fallback` when absent.
Result<std::uint64_t> uint_arg(const Request& r, std::string_view name, std::uint64_t fallback) {
  const json* value = r.arg(name);
  if (value == nullptr) return fallback;
  if (value->is_number_unsigned()) return value->get<std::uint64_t>();
  return make_error(Errc::invalid_argument,
                    "'" + std::string(name) + "' must be a number of 0 or more, not " + value->dump());
}

using Writer = std::shared_ptr<control::Writer>;

// Answers `writer` with `result`: its one and last line.
void answer(const Writer& writer, Result<json> result) {
  if (result) {
    writer->last(std::move(*result));
  } else {
    writer->fail(result.error());
  }
}

// Runs `fn` on the existing Realm at the request's path, on its strand, and
// answers from there: the control connection's thread (a network thread)
// never waits for a Realm that may be busy merging (issue 14).
void on_realm(SyncService& service, const Request& r, Writer writer,
              std::function<Result<json>(store::RealmStore&)> fn) {
  std::string path = r.string_arg("path");
  auto file = inspect::realm_file(service.layout(), path);
  if (!file) return writer->fail(file.error());
  auto realm = service.realm(path);
  if (!realm) return writer->fail(realm.error());
  (*realm)->with_store_async(std::move(fn), [writer, path](Result<json> result) {
    if (result) (*result)["path"] = path;
    answer(writer, std::move(result));
  });
}

}  // namespace

std::vector<control::Op> control_ops(SyncService& service, ChangeFeed& feed,
                                     std::chrono::steady_clock::time_point started) {
  SyncService* s = &service;
  ChangeFeed* cf = &feed;
  return {
      {"realm.list", Access::read, {},
       [s](const Request&) -> Result<json> {
         json out = inspect::list_realms(s->layout());
         auto clients = s->sessions_per_realm();
         for (auto& realm : out["realms"]) {
           auto it = clients.find(realm.value("path", ""));
           realm["clients"] = it == clients.end() ? 0 : it->second;
         }
         return out;
       }},
      {"realm.show", Access::read,
       {{"path", ArgType::string}, {"class", ArgType::string, false},
        {"limit", ArgType::integer, false}},
       [s](const Request& r, Writer w) {
         std::optional<std::string> cls;
         if (r.arg("class") != nullptr) cls = r.string_arg("class");
         auto limit = uint_arg(r, "limit", inspect::kDefaultObjectLimit);
         if (!limit) return w->fail(limit.error());
         on_realm(*s, r, w, [cls, limit = *limit](store::RealmStore& store) {
           return inspect::show_realm(store, cls, limit);
         });
       }},
      {"realm.schema", Access::read, {{"path", ArgType::string}},
       [s](const Request& r, Writer w) {
         on_realm(*s, r, w, [](store::RealmStore& store) { return inspect::realm_schema(store); });
       }},
      {"realm.history", Access::read,
       {{"path", ArgType::string}, {"from", ArgType::integer, false},
        {"limit", ArgType::integer, false}},
       [s](const Request& r, Writer w) {
         auto from = uint_arg(r, "from", 0);
         if (!from) return w->fail(from.error());
         auto limit = uint_arg(r, "limit", 0);
         if (!limit) return w->fail(limit.error());
         on_realm(*s, r, w, [from = *from, limit = *limit](store::RealmStore& store) {
           return inspect::realm_history(store, from, limit);
         });
       }},
      {"realm.rm", Access::write, {{"path", ArgType::string}},
       [s](const Request& r, Writer w) {
         std::string path = r.string_arg("path");
         auto file = inspect::realm_file(s->layout(), path);
         if (!file) return w->fail(file.error());
         // Removed once the Realm's strand closed it (on that strand).
         s->close_realm_async(path, "the Realm '" + path + "' was removed by an operator",
                              [s, w, path] { answer(w, inspect::remove_realm(s->layout(), path)); });
       }},
      {"session.list", Access::read, {},
       [s](const Request&, Writer w) {
         s->sessions_async([w](std::vector<json> sessions) {
           w->last(json{{"sessions", std::move(sessions)}});
         });
       }},
      {"stat", Access::read, {},
       [s, started](const Request&) -> Result<json> {
         json out = s->stats().to_json();
         out["uptime_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::steady_clock::now() - started)
                                     .count();
         return out;
       }},
      {"feed.follow", Access::read,
       {{"paths", ArgType::string, false}, {"from", ArgType::object, false}},
       [cf](const Request& r, std::shared_ptr<control::Writer> writer) {
         std::optional<std::string> paths;
         if (r.arg("paths") != nullptr) {
           paths = r.string_arg("paths");
           if (auto re = ChangeFeed::follow_regex(*paths); !re) return writer->fail(re.error());
         }
         std::map<std::string, std::uint64_t> from;
         if (const json* f = r.arg("from")) {
           for (const auto& [path, version] : f->items()) {
             if (!version.is_number_unsigned()) {
               return writer->fail(make_error(
                   Errc::invalid_argument,
                   "'from' maps Realm paths to versions (numbers of 0 or more); '" + path +
                       "' has " + version.dump()));
             }
             from[path] = version.get<std::uint64_t>();
           }
         }
         cf->follow(std::move(writer), std::move(paths), std::move(from));
       }},
  };
}

}  // namespace ros::sync::server
