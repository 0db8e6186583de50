#include "functions/control_ops.hpp"

namespace ros::functions {

using control::Access;
using control::ArgType;
using control::Request;
using nlohmann::json;

std::vector<control::Op> control_ops(FunctionService& service) {
  FunctionService* s = &service;
  auto by_name = [s](Result<json> (FunctionService::*method)(const std::string&)) {
    return [s, method](const Request& r) -> Result<json> {
      std::string name = r.string_arg("name");
      if (auto ok = FunctionService::check_name(name); !ok) return ok.error();
      return (s->*method)(name);
    };
  };
  return {
      {"fn.deploy", Access::write,
       {{"name", ArgType::string},
        {"regex", ArgType::string},
        {"kind", ArgType::string},
        {"entry", ArgType::string},
        {"files", ArgType::array},
        {"from_start", ArgType::boolean, false}},
       [s](const Request& r) { return s->deploy(r.args); }},
      {"fn.list", Access::read, {}, [s](const Request&) { return s->list(); }},
      {"fn.show", Access::read, {{"name", ArgType::string}}, by_name(&FunctionService::show)},
      {"fn.start", Access::write, {{"name", ArgType::string}}, by_name(&FunctionService::start)},
      {"fn.stop", Access::write, {{"name", ArgType::string}}, by_name(&FunctionService::stop)},
      {"fn.rm", Access::write, {{"name", ArgType::string}}, by_name(&FunctionService::remove)},
      {"fn.logs", Access::read,
       {{"name", ArgType::string},
        {"lines", ArgType::integer, false},
        {"follow", ArgType::boolean, false}},
       [s](const Request& r, std::shared_ptr<control::Writer> writer) {
         std::int64_t lines = r.arg("lines") ? r.arg("lines")->get<std::int64_t>() : 0;
         bool follow = r.arg("follow") ? r.arg("follow")->get<bool>() : false;
         s->logs(r.string_arg("name"), lines, follow, std::move(writer));
       }},
  };
}

}  // namespace ros::functions
