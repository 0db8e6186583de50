#include "sync/transform/vectors.hpp"

namespace ros::sync::transform {

Result<VectorSummary> run_vectors(const std::filesystem::path& dir, std::ostream& out) {
  (void)dir;
  out << "0 passed, 0 failed\n";
  return VectorSummary{};
}

}  // namespace ros::sync::transform
