// A blocking HTTP/1.1 client for tests (Boost.Beast), one request per
// connection, so each call stands alone.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace ros::test {

struct HttpReply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// Sends `method target` with `body` to 127.0.0.1:port. Throws on a
// transport failure (the test fails with the reason).
HttpReply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

}  // namespace ros::test
