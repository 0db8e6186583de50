// How commands print sizes for people: "512 B", "1.5 KiB", "3.2 GiB".
// (--json output keeps exact byte counts.)
#pragma once

#include <cstdint>
#include <string>

namespace ros::cli {

std::string human_bytes(std::uint64_t bytes);

}  // namespace ros::cli
