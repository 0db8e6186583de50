// libFuzzer entry for the changeset parser (built only with clang and
// ROS_FUZZ=ON; see CMakeLists.txt here). Seed it with the vectors' .bin files.
#include <cstdio>
#include <cstdlib>

#include "parser_invariants.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (auto broken = ros::test::check_parser_invariants(data, size)) {
    std::fprintf(stderr, "invariant broken: %s\n", broken->c_str());
    std::abort();
  }
  return 0;
}
