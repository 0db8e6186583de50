#include "http/problem.hpp"

#include <nlohmann/json.hpp>

namespace ros::http {

Response problem_response(const Problem& problem, const std::string& detail) {
  nlohmann::json body = {
      {"type", std::string("https://realm.io/docs/object-server/problems/") + problem.slug},
      {"title", problem.title},
      {"status", problem.status},
  };
  if (problem.code != 0) body["code"] = problem.code;
  if (!detail.empty()) body["detail"] = detail;
  Response response;
  response.status = problem.status;
  response.content_type = "application/problem+json";
  response.body = body.dump();
  return response;
}

}  // namespace ros::http
