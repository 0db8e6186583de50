#include "sync/client/app_user.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace ros::sync::client {
namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using boost::asio::ip::tcp;
using nlohmann::json;

struct Origin {
  std::string host, port;
};

Result<Origin> parse_origin(const std::string& origin) {
  const std::string scheme = "http://";
  if (origin.rfind(scheme, 0) != 0) {
    return make_error(Errc::invalid_argument, "'" + origin + "': only http:// base URLs are supported");
  }
  std::string rest = origin.substr(scheme.size());
  if (auto slash = rest.find('/'); slash != std::string::npos) rest.resize(slash);
  if (rest.empty()) return make_error(Errc::invalid_argument, "'" + origin + "' has no host");
  auto colon = rest.rfind(':');
  if (colon == std::string::npos) return Origin{rest, "80"};
  return Origin{rest.substr(0, colon), rest.substr(colon + 1)};
}

// The error of a refused request: its error_code and message when the body
// has them.
Error refused(const std::string& what, const AppHttpReply& reply) {
  std::string detail = reply.body.substr(0, 300);
  auto j = json::parse(reply.body, nullptr, false);
  if (j.is_object() && j.contains("error_code") && j.contains("error")) {
    detail = j["error_code"].dump() + ": " + j["error"].dump();
  }
  return make_error(reply.status == 401 ? Errc::permission_denied : Errc::conflict,
                    what + " answered HTTP " + std::to_string(reply.status) + ": " + detail);
}

Result<json> json_body(const std::string& what, const AppHttpReply& reply) {
  if (reply.status < 200 || reply.status > 299) return refused(what, reply);
  json j = json::parse(reply.body, nullptr, false);
  if (j.is_discarded()) return make_error(Errc::conflict, what + " answered a body that is not JSON");
  if (j.is_object() && (j.contains("error") || j.contains("error_code"))) return refused(what, reply);
  return j;
}

Result<std::string> string_of(const json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) {
    return make_error(Errc::conflict, what + ": the answer has no string '" + key + "'");
  }
  return it->get<std::string>();
}

}  // namespace

Result<AppHttpReply> app_http(const std::string& origin, const std::string& method,
                              const std::string& target, const std::string& body,
                              const std::string& bearer, bool core_headers) {
  auto where = parse_origin(origin);
  if (!where) return where.error();
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(std::chrono::seconds(60));  // core's default request timeout
    tcp::resolver resolver(io);
    stream.connect(resolver.resolve(where->host, where->port));
    bhttp::request<bhttp::string_body> request(bhttp::string_to_verb(method), target, 11);
    request.set(bhttp::field::host, where->host + ":" + where->port);
    if (core_headers) {
      request.set(bhttp::field::content_type, "application/json;charset=utf-8");
      request.set(bhttp::field::accept, "application/json");
    }
    if (!bearer.empty()) request.set(bhttp::field::authorization, "Bearer " + bearer);
    request.body() = body;
    request.prepare_payload();
    bhttp::write(stream, request);
    beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> response;
    bhttp::read(stream, buffer, response);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return AppHttpReply{static_cast<int>(response.result_int()),
                        std::string(response[bhttp::field::content_type]), response.body()};
  } catch (const std::exception& e) {
    return make_error(Errc::unavailable, method + " " + origin + target + " failed: " + e.what());
  }
}

Result<AppUser> AppUser::log_in(const std::string& base_url, const std::string& app_id,
                                const std::string& provider, json credentials) {
  auto state = std::make_shared<State>();
  state->app_id = app_id;
  std::string base = base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  const std::string app_route = "/api/client/v2.0/app/" + app_id;

  // Location: no headers at all, as core sends it.
  auto where = app_http(base, "GET", app_route + "/location", "", "", false);
  if (!where) return where.error();
  auto location = json_body("location", *where);
  if (!location) return location.error();
  auto hostname = string_of(*location, "hostname", "location");
  if (!hostname) return hostname.error();
  auto ws_hostname = string_of(*location, "ws_hostname", "location");
  if (!ws_hostname) return ws_hostname.error();
  state->origin = hostname->empty() ? base : *hostname;
  state->ws_origin = *ws_hostname;
  if (state->ws_origin.empty()) {
    state->ws_origin = state->origin.rfind("https://", 0) == 0 ? "wss://" + state->origin.substr(8)
                                                               : "ws://" + state->origin.substr(7);
  }

  // Login: the credentials with "provider" first, then options.device.
  json request = {{"provider", provider}};
  for (auto& [k, v] : credentials.items()) request[k] = v;
  request["options"] = {{"device",
                         {{"appId", app_id}, {"platform", "Linux"}, {"platformVersion", "ros"},
                          {"sdk", "ros-sync-client"}, {"sdkVersion", ROS_VERSION}, {"cpuArch", ""},
                          {"deviceName", ""}, {"deviceVersion", ""}, {"frameworkName", ""},
                          {"frameworkVersion", ""}, {"coreVersion", "14.14.0"}, {"bundleId", ""}}}};
  auto reply = app_http(state->origin, "POST", app_route + "/auth/providers/" + provider + "/login",
                        request.dump());
  if (!reply) return reply.error();
  auto login = json_body("login", *reply);
  if (!login) return login.error();
  for (const char* key : {"access_token", "refresh_token", "user_id", "device_id"}) {
    if (auto v = string_of(*login, key, "login"); !v) return v.error();
  }
  state->access = (*login)["access_token"];
  state->refresh = (*login)["refresh_token"];
  state->user_id = (*login)["user_id"];

  auto profile_reply = app_http(state->origin, "GET", "/api/client/v2.0/auth/profile", "", state->access);
  if (!profile_reply) return profile_reply.error();
  auto profile = json_body("profile", *profile_reply);
  if (!profile) return profile.error();
  if (!profile->contains("identities") || !(*profile)["identities"].is_array() ||
      !profile->contains("data") || !(*profile)["data"].is_object()) {
    return make_error(Errc::conflict, "profile: the answer lacks 'identities' or 'data'");
  }
  state->profile = std::move(*profile);
  return AppUser(std::move(state));
}

Result<std::string> AppUser::refresh() {
  auto reply = app_http(state_->origin, "POST", "/api/client/v2.0/auth/session", "", refresh_token());
  if (!reply) return reply.error();
  auto answer = json_body("refresh", *reply);
  if (!answer) return answer.error();
  auto access = string_of(*answer, "access_token", "refresh");
  if (!access) return access.error();
  std::lock_guard lock(state_->mutex);
  state_->access = *access;
  return *access;
}

Result<void> AppUser::log_out() {
  auto reply = app_http(state_->origin, "DELETE", "/api/client/v2.0/auth/session", "", refresh_token());
  if (!reply) return reply.error();
  if (reply->status < 200 || reply->status > 299) return refused("logout", *reply);
  return {};
}

std::string AppUser::access_token() const {
  std::lock_guard lock(state_->mutex);
  return state_->access;
}

std::string AppUser::refresh_token() const {
  std::lock_guard lock(state_->mutex);
  return state_->refresh;
}

}  // namespace ros::sync::client
