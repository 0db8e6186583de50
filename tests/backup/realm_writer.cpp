#include "realm_writer.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sync/changeset/changeset_json.hpp"
#include "sync/changeset/encoder.hpp"

namespace ros::test {
namespace {

namespace cs = ros::sync::changeset;
namespace st = ros::sync::store;

// Plain exceptions rather than Catch macros, so a writer thread may use it.
std::string encode_json(const cs::Json& j) {
  auto changeset = cs::from_json(j);
  if (!changeset) throw std::runtime_error("changeset JSON: " + changeset.error().message);
  auto bytes = cs::encode(*changeset, cs::Layout::hoisted);
  if (!bytes) throw std::runtime_error("encode: " + bytes.error().message);
  return *bytes;
}

cs::Json add_column(const std::string& field, const std::string& type) {
  return {{"type", "AddColumn"}, {"table", "Item"},      {"field", field},
          {"valueType", type},   {"nullable", false},    {"collectionType", "Single"}};
}

cs::Json update(std::int64_t id, const std::string& field, cs::Json value) {
  return {{"type", "Update"},  {"table", "Item"},         {"object", {{"int", id}}},
          {"field", field},    {"path", cs::Json::array()}, {"value", std::move(value)},
          {"isDefault", false}};
}

}  // namespace

std::string item_schema_changeset() {
  cs::Json j = cs::Json::object();
  j["instructions"] = cs::Json::array(
      {cs::Json{{"type", "AddTable"},
                {"table", "Item"},
                {"embedded", false},
                {"primaryKey", {{"field", "_id"}, {"type", "Int"}, {"nullable", false}}},
                {"asymmetric", false}},
       add_column("n", "Int"), add_column("s", "String")});
  j["internStrings"] = cs::Json::array({"Item", "_id", "n", "s"});
  return encode_json(j);
}

std::string create_item_changeset(std::int64_t id) {
  const std::string text = "item " + std::to_string(id);
  cs::Json j = cs::Json::object();
  j["instructions"] = cs::Json::array(
      {cs::Json{{"type", "CreateObject"}, {"table", "Item"}, {"object", {{"int", id}}}},
       update(id, "n", {{"int", id}}), update(id, "s", {{"string", text}})});
  j["internStrings"] = cs::Json::array({"Item", "n", "s", text});
  return encode_json(j);
}

RealmWriter::RealmWriter(const std::filesystem::path& file) {
  auto opened = st::RealmStore::open(file);
  if (!opened) throw std::runtime_error(opened.error().message);
  store_ = std::move(*opened);
  auto client = store_->allocate_client_file();
  if (!client) throw std::runtime_error(client.error().message);
  ident_ = client->ident;
}

void RealmWriter::add_schema() { upload(item_schema_changeset()); }

std::uint64_t RealmWriter::add_item() { return upload(create_item_changeset(next_item_++)); }

std::uint64_t RealmWriter::upload(const std::string& changeset) {
  auto latest = store_->latest();
  if (!latest) throw std::runtime_error(latest.error().message);
  ++client_version_;
  st::Upload u;
  u.client_file_ident = ident_;
  u.progress_client_version = client_version_;
  u.progress_server_version = latest->version;
  u.locked_server_version = latest->version;
  st::UploadEntry e;
  e.client_version = client_version_;
  e.last_integrated_server_version = latest->version;
  e.origin_timestamp = 315532800000 + client_version_;
  e.changeset = changeset;
  u.entries.push_back(std::move(e));
  auto done = store_->integrate_upload(u);
  if (!done) throw std::runtime_error("integrate: " + done.error().message);
  return done->latest.version;
}

}  // namespace ros::test
