// The HTTP request and response as ros's services see them: plain values,
// independent of Beast, so that handlers are easy to write and to test.
#pragma once

#include <map>
#include <string>

namespace ros::http {

struct Request {
  std::string method;   // "GET", "POST", ...
  std::string target;   // path and query, e.g. "/auth"
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string peer;     // the client's address: X-Forwarded-For from a local proxy, else the socket's

  // The header's value, or "" when absent. `name` in lower case.
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
  // The target without its query string.
  std::string path() const { return target.substr(0, target.find('?')); }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";  // "": no Content-Type header
  std::string body;
  std::map<std::string, std::string> headers;  // extra headers
};

}  // namespace ros::http
