#include "authd/perm_ops.hpp"

#include "storage/realm_path.hpp"

namespace ros::authd {
namespace {

using control::Access;
using control::ArgType;
using control::Request;
using nlohmann::json;

admin::RightsChange change_of(const Request& r) {
  admin::RightsChange change;
  if (const json* v = r.arg("read")) change.read = v->get<bool>();
  if (const json* v = r.arg("write")) change.write = v->get<bool>();
  if (const json* v = r.arg("manage")) change.manage = v->get<bool>();
  return change;
}

json rights_json(admin::Rights rights) {
  return {{"read", rights.read}, {"write", rights.write}, {"manage", rights.manage}};
}

// The user named by the optional argument `name`, or nullopt when absent.
Result<std::optional<admin::User>> optional_user(Context& c, const Request& r, const char* name) {
  const json* v = r.arg(name);
  if (v == nullptr) return std::optional<admin::User>();
  auto user = c.store.find_user(v->get<std::string>());
  if (!user) return user.error();
  return std::optional<admin::User>(std::move(*user));
}

// The Realm of `realm` ("~" is `owner`'s id), resolved and validated.
Result<std::string> realm_of(const Request& r, const std::optional<admin::User>& owner) {
  return storage::resolve_realm_path(r.string_arg("realm"), owner ? owner->id : std::string());
}

// The user id a notice names: "*" stays "*".
std::string grantee_id(const admin::PermissionEntry& entry) { return entry.user_id; }

Result<json> change(Context& c, const Request& r, bool revoke) {
  auto owner = optional_user(c, r, "owner");
  if (!owner) return owner.error();
  const std::string user = r.string_arg("user");
  std::vector<admin::PermissionEntry> entries;
  if (r.string_arg("realm") == "*") {
    if (!*owner) {
      return make_error(Errc::invalid_argument,
                        "realm '*' means every Realm of a user: name that user with 'owner'");
    }
    auto changed = revoke ? c.store.revoke_all_owned(**owner, user, change_of(r))
                          : c.store.grant_all_owned(**owner, user, change_of(r));
    if (!changed) return changed.error();
    entries = std::move(*changed);
  } else {
    auto path = realm_of(r, *owner);
    if (!path) return path.error();
    auto changed = revoke ? c.store.revoke(*path, user, change_of(r))
                          : c.store.grant(*path, user, change_of(r));
    if (!changed) return changed.error();
    entries.push_back(std::move(*changed));
  }
  json list = json::array();
  for (const auto& entry : entries) {
    list.push_back(entry_json(entry));
    c.changes.publish({{"event", revoke ? "revoke" : "grant"},
                       {"user", grantee_id(entry)},
                       {"realm", entry.realm_path},
                       {"rights", rights_json(entry.rights)}});
  }
  return json{{"entries", list}};
}

Result<json> show(Context& c, const Request& r) {
  auto owner = optional_user(c, r, "owner");
  if (!owner) return owner.error();
  auto path = realm_of(r, *owner);
  if (!path) return path.error();
  auto entries = c.store.permissions_of_realm(*path);
  if (!entries) return entries.error();
  json list = json::array();
  for (const auto& e : *entries) list.push_back(entry_json(e));
  auto realm_owner = storage::realm_owner(*path);
  return json{{"realm", *path},
              {"owner", realm_owner ? json(*realm_owner) : json(nullptr)},
              {"entries", list}};
}

Result<json> list(Context& c, const Request& r) {
  std::vector<std::string> grantees;
  if (const json* u = r.arg("user")) {
    grantees.push_back(u->get<std::string>());
  } else {
    grantees.emplace_back(admin::kDefaultGrantee);
    auto users = c.store.list_users();
    if (!users) return users.error();
    for (const auto& u : *users) grantees.push_back(u.id);
  }
  json out = json::array();
  for (const auto& grantee : grantees) {
    auto entries = c.store.permissions_of_user(grantee);
    if (!entries) return entries.error();
    for (const auto& e : *entries) out.push_back(entry_json(e));
  }
  return json{{"entries", out}};
}

Result<json> offer_create(Context& c, const Request& r) {
  auto as = optional_user(c, r, "as");
  if (!as) return as.error();
  auto path = realm_of(r, *as);
  if (!path) return path.error();
  std::optional<admin::User> creator = *as;
  if (!creator) {
    auto owner_id = storage::realm_owner(*path);
    if (!owner_id) {
      return make_error(Errc::invalid_argument,
                        "'" + *path + "' has no owner: name the offering user with 'as' (a user "
                        "with manage rights on it)");
    }
    auto owner = c.store.find_user(*owner_id);
    if (!owner) return owner.error();
    creator = std::move(*owner);
  }
  auto change = change_of(r);
  admin::Rights rights{change.read.value_or(false), change.write.value_or(false),
                       change.manage.value_or(false)};
  std::optional<std::int64_t> expires_at;
  const std::int64_t now = c.now();
  if (const json* e = r.arg("expires")) {
    if (e->get<std::int64_t>() <= 0) {
      return make_error(Errc::invalid_argument, "argument 'expires' must be positive (seconds)");
    }
    expires_at = now + e->get<std::int64_t>();
  }
  auto offer = c.store.create_offer(*creator, *path, rights, expires_at, now);
  if (!offer) return offer.error();
  return offer_json(*offer);
}

Result<json> offer_list(Context& c, const Request& r) {
  std::optional<std::string> as;
  if (const json* v = r.arg("as")) as = v->get<std::string>();
  auto offers = c.store.list_offers(as);
  if (!offers) return offers.error();
  json out = json::array();
  for (const auto& o : *offers) out.push_back(offer_json(o));
  return json{{"offers", out}};
}

Result<json> offer_accept(Context& c, const Request& r) {
  auto user = c.store.find_user(r.string_arg("user"));
  if (!user) return user.error();
  auto entry = c.store.accept_offer(r.string_arg("token"), *user, c.now());
  if (!entry) return entry.error();
  c.changes.publish({{"event", "offer_accepted"},
                     {"user", entry->user_id},
                     {"realm", entry->realm_path},
                     {"rights", rights_json(entry->rights)}});
  return entry_json(*entry);
}

}  // namespace

json entry_json(const admin::PermissionEntry& e) {
  return {{"realm", e.realm_path},
          {"user", e.user_id},
          {"username", e.username ? json(*e.username) : json(nullptr)},
          {"read", e.rights.read},
          {"write", e.rights.write},
          {"manage", e.rights.manage}};
}

json offer_json(const admin::Offer& o) {
  return {{"token", o.token},
          {"realm", o.realm_path},
          {"read", o.rights.read},
          {"write", o.rights.write},
          {"manage", o.rights.manage},
          {"created_by", o.created_by},
          {"created_at", o.created_at},
          {"expires_at", o.expires_at ? json(*o.expires_at) : json(nullptr)},
          {"revoked", o.revoked}};
}

std::vector<control::Op> permission_ops(Context& context) {
  Context* c = &context;
  const std::vector<control::Arg> change_args = {
      {"user", ArgType::string},           {"realm", ArgType::string},
      {"read", ArgType::boolean, false},   {"write", ArgType::boolean, false},
      {"manage", ArgType::boolean, false}, {"owner", ArgType::string, false}};
  return {
      {"perm.grant", Access::write, change_args,
       [c](const Request& r) { return change(*c, r, false); }},
      {"perm.revoke", Access::write, change_args,
       [c](const Request& r) { return change(*c, r, true); }},
      {"perm.show", Access::read, {{"realm", ArgType::string}, {"owner", ArgType::string, false}},
       [c](const Request& r) { return show(*c, r); }},
      {"perm.list", Access::read, {{"user", ArgType::string, false}},
       [c](const Request& r) { return list(*c, r); }},
      {"offer.create", Access::write,
       {{"realm", ArgType::string}, {"read", ArgType::boolean, false},
        {"write", ArgType::boolean, false}, {"manage", ArgType::boolean, false},
        {"expires", ArgType::integer, false}, {"as", ArgType::string, false}},
       [c](const Request& r) { return offer_create(*c, r); }},
      {"offer.list", Access::read, {{"as", ArgType::string, false}},
       [c](const Request& r) { return offer_list(*c, r); }},
      {"offer.revoke", Access::write, {{"token", ArgType::string}},
       [c](const Request& r) -> Result<json> {
         if (auto done = c->store.revoke_offer(r.string_arg("token")); !done) return done.error();
         return json{{"revoked", r.string_arg("token")}};
       }},
      {"offer.accept", Access::write, {{"token", ArgType::string}, {"user", ArgType::string}},
       [c](const Request& r) { return offer_accept(*c, r); }},
      {"perm.changed", Access::read, {},
       control::StreamHandler([c](const Request&, std::shared_ptr<control::Writer> writer) {
         c->changes.subscribe(std::move(writer));
       })},
  };
}

}  // namespace ros::authd
