#include "control/protocol.hpp"

namespace ros::control {
namespace {

// The deepest nesting of [ and { in `line`, outside strings; stops counting
// past `limit`. A cheap pre-check so that no recursive code (dump, destroy)
// ever meets a pathological document.
int nesting_depth(std::string_view line, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : line) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return deepest;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

bool is_secret_name(std::string_view name) {
  auto ends_with = [&](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.substr(name.size() - suffix.size()) == suffix;
  };
  return name == "password" || name == "token" || ends_with("_password") ||
         ends_with("_token");
}

}  // namespace

std::filesystem::path socket_path(const std::filesystem::path& socket_dir,
                                  std::string_view daemon) {
  std::string_view name = daemon;
  if (name.substr(0, 4) == "ros-" && name.size() > 4) name.remove_prefix(4);
  return socket_dir / (std::string(name) + ".sock");
}

std::string dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<RequestLine> parse_request(std::string_view line, json& id) {
  id = nullptr;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (nesting_depth(line, kMaxDepth) > kMaxDepth) {
    return make_error(Errc::invalid_argument, "request is nested too deeply (limit " +
                                                  std::to_string(kMaxDepth) + " levels)");
  }
  json doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return make_error(Errc::invalid_argument, "request is not valid JSON");
  }
  if (!doc.is_object()) {
    return make_error(Errc::invalid_argument, "request must be a JSON object");
  }
  auto it = doc.find("id");
  if (it == doc.end()) return make_error(Errc::invalid_argument, "missing field 'id'");
  if (!it->is_number_integer() && !it->is_string()) {
    return make_error(Errc::invalid_argument, "field 'id' must be an integer or a string");
  }
  id = *it;
  RequestLine request;
  request.id = *it;
  it = doc.find("op");
  if (it == doc.end()) return make_error(Errc::invalid_argument, "missing field 'op'");
  if (!it->is_string()) return make_error(Errc::invalid_argument, "field 'op' must be a string");
  request.op = it->get<std::string>();
  it = doc.find("args");
  if (it != doc.end() && !it->is_null()) {
    if (!it->is_object()) {
      return make_error(Errc::invalid_argument, "field 'args' must be an object");
    }
    request.args = std::move(*it);
  }
  return request;
}

std::string request_line(const json& id, std::string_view op, const json& args) {
  json doc = {{"id", id}, {"op", op}, {"args", args}};
  return dump(doc) + "\n";
}

std::string result_line(const json& id, const json& result) {
  json doc = {{"id", id}, {"ok", true}, {"result", result}};
  return dump(doc) + "\n";
}

std::string more_line(const json& id, const json& result) {
  json doc = {{"id", id}, {"ok", true}, {"more", true}, {"result", result}};
  return dump(doc) + "\n";
}

std::string error_line(const json& id, const Error& error) {
  json doc = {{"id", id},
              {"ok", false},
              {"error", {{"code", to_string(error.code)}, {"message", error.message}}}};
  return dump(doc) + "\n";
}

Result<Reply> parse_reply(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  json doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return make_error(Errc::internal, "reply is not a JSON object");
  }
  Reply reply;
  auto it = doc.find("id");
  if (it == doc.end()) return make_error(Errc::internal, "reply has no 'id'");
  reply.id = *it;
  it = doc.find("ok");
  if (it == doc.end() || !it->is_boolean()) {
    return make_error(Errc::internal, "reply has no boolean 'ok'");
  }
  if (it->get<bool>()) {
    auto result = doc.find("result");
    if (result == doc.end()) return make_error(Errc::internal, "reply has no 'result'");
    reply.result = std::move(*result);
    auto more = doc.find("more");
    if (more != doc.end()) {
      if (!more->is_boolean()) return make_error(Errc::internal, "reply's 'more' is not a boolean");
      reply.more = more->get<bool>();
    }
    return reply;
  }
  auto error = doc.find("error");
  if (error == doc.end() || !error->is_object()) {
    return make_error(Errc::internal, "reply has no 'error' object");
  }
  auto code = error->find("code");
  auto message = error->find("message");
  if (code == error->end() || !code->is_string() || message == error->end() ||
      !message->is_string()) {
    return make_error(Errc::internal, "reply's error has no 'code' and 'message' strings");
  }
  auto errc = errc_from_string(code->get<std::string>());
  reply.error = Error{errc.value_or(Errc::internal), message->get<std::string>()};
  return reply;
}

json redact(const json& args) {
  if (args.is_array()) {
    json out = json::array();
    for (const auto& item : args) out.push_back(redact(item));
    return out;
  }
  if (!args.is_object()) return args;
  json out = json::object();
  for (auto it = args.begin(); it != args.end(); ++it) {
    out[it.key()] = is_secret_name(it.key()) ? json("<redacted>") : redact(it.value());
  }
  return out;
}

}  // namespace ros::control
